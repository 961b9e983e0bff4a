import { decodeJwt, decodeProtectedHeader } from 'jose';
import { IssueServiceTokenCommand } from '../../../src/application/index.js';
import { TEST_SERVICE, failure, unitApp, type UnitApp } from '../../support/unit-app.js';

describe('IssueServiceToken', () => {
  let app: UnitApp;
  beforeEach(async () => {
    app = await unitApp();
  });

  it('answers the right credentials with a short-lived token for the callee only', async () => {
    const issued = await app.issueServiceToken.execute(new IssueServiceTokenCommand(TEST_SERVICE.name, TEST_SERVICE.secret, 'story'));
    expect(issued.expiresIn).toBe(300);
    const claims = decodeJwt(issued.token);
    expect(claims).toMatchObject({ sub: `service:${TEST_SERVICE.name}`, role: 'service', email: '', iss: 'test-issuer', aud: 'story' });
    expect(claims.exp! - claims.iat!).toBe(300);
    expect(decodeProtectedHeader(issued.token)).toMatchObject({ alg: 'RS256', kid: (await app.tokens.jwks()).keys[0]!.kid });
    // nothing is stored and nothing is published
    expect(app.uow.commits).toBe(0);
    expect(app.uow.events).toEqual([]);
  });

  it('refuses every wrong part with the same INVALID_SERVICE_CREDENTIALS', async () => {
    const refusals = [
      new IssueServiceTokenCommand(TEST_SERVICE.name, `${TEST_SERVICE.secret}x`, 'story'),
      new IssueServiceTokenCommand('payments', TEST_SERVICE.secret, 'story'),
      new IssueServiceTokenCommand('Notification', TEST_SERVICE.secret, 'story'),
      new IssueServiceTokenCommand(TEST_SERVICE.name, TEST_SERVICE.secret, 'Story API'),
      new IssueServiceTokenCommand(TEST_SERVICE.name, TEST_SERVICE.secret, ''),
      new IssueServiceTokenCommand(TEST_SERVICE.name, undefined, 'story'),
      new IssueServiceTokenCommand(42, TEST_SERVICE.secret, 'story'),
    ];
    for (const command of refusals) {
      expect(await failure(app.issueServiceToken.execute(command))).toBe('unauthenticated:INVALID_SERVICE_CREDENTIALS');
    }
  });
});
