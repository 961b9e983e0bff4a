// createServiceTokenSource against a gRPC peer speaking identity's IssueServiceToken: caching per
// audience, one call in flight, renewal before expiry, and how refusals and outages surface.
import { PROTO_SERVICES } from '@storytelling/contracts';
import { startGrpcTestServer, type GrpcTestServer } from '@storytelling/testing';
import { createServiceTokenSource, withServiceToken } from '../../src/auth/service-token.js';
import { currentContext, runWithContext } from '../../src/context/request-context.js';
import { GrpcStatus } from '../../src/rpc/grpc.js';

describe('createServiceTokenSource', () => {
  let identity: GrpcTestServer;
  const issued: Array<{ service: string; secret: string; audience: string; authorization: unknown }> = [];
  let expiresIn = 300;
  let delayMs = 0;

  beforeAll(async () => {
    identity = await startGrpcTestServer(PROTO_SERVICES.identity, {
      IssueServiceToken: async (raw, metadata) => {
        const request = raw as { service: string; secret: string; audience: string };
        issued.push({ ...request, authorization: metadata.get('authorization')[0] });
        if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
        if (request.secret !== 'right-secret-of-sixteen') throw { code: GrpcStatus.UNAUTHENTICATED, details: 'no' };
        return { accessToken: `token-${issued.length}-for-${request.audience}`, expiresIn };
      },
    });
  });
  afterAll(async () => {
    await identity?.stop();
  });
  beforeEach(() => {
    issued.length = 0;
    expiresIn = 300;
    delayMs = 0;
  });

  it('asks once per audience, shares one call in flight, and never sends the caller’s user token', async () => {
    let now = 1_000_000;
    const source = createServiceTokenSource({ identityUrl: identity.url, service: 'notification', secret: 'right-secret-of-sixteen', now: () => now });
    try {
      delayMs = 50;
      const tokens = await runWithContext({ correlationId: 'c', bearerToken: 'user.jwt.token' }, () =>
        Promise.all([source.token('story'), source.token('story'), source.token('story')]),
      );
      expect(new Set(tokens).size).toBe(1);
      expect(issued).toEqual([{ service: 'notification', secret: 'right-secret-of-sixteen', audience: 'story', authorization: undefined }]);
      expect(await source.token('payments')).toBe('token-2-for-payments');
      expect(await source.token('story')).toBe(tokens[0]);

      // 300 s tokens are renewed from 240 s on.
      now += 239_000;
      expect(await source.token('story')).toBe(tokens[0]);
      now += 2_000;
      expect(await source.token('story')).toBe('token-3-for-story');
      expect(issued).toHaveLength(3);
    } finally {
      source.close();
    }
  });

  it('withServiceToken puts the token on outgoing calls and keeps the correlation id', async () => {
    const source = createServiceTokenSource({ identityUrl: identity.url, service: 'notification', secret: 'right-secret-of-sixteen' });
    try {
      const seen = await runWithContext({ correlationId: 'corr-7', bearerToken: 'user.jwt.token' }, () =>
        withServiceToken(source, 'story', async () => currentContext()),
      );
      expect(seen).toMatchObject({ correlationId: 'corr-7', bearerToken: 'token-1-for-story' });
    } finally {
      source.close();
    }
  });

  it('a refused secret is INVALID_SERVICE_CREDENTIALS (not cached); identity down is SERVICE_TOKEN_UNAVAILABLE', async () => {
    const wrong = createServiceTokenSource({ identityUrl: identity.url, service: 'notification', secret: 'wrong-secret-of-sixteen' });
    const down = createServiceTokenSource({ identityUrl: '127.0.0.1:9', service: 'notification', secret: 'right-secret-of-sixteen', deadlineMs: 500 });
    try {
      await expect(wrong.token('story')).rejects.toMatchObject({ kind: 'unauthenticated', code: 'INVALID_SERVICE_CREDENTIALS' });
      await expect(wrong.token('story')).rejects.toMatchObject({ code: 'INVALID_SERVICE_CREDENTIALS' });
      expect(issued).toHaveLength(2);
      await expect(down.token('story')).rejects.toMatchObject({ kind: 'unavailable', code: 'SERVICE_TOKEN_UNAVAILABLE' });
    } finally {
      wrong.close();
      down.close();
    }
  });
});
