import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseOidcProviders } from '../../../src/infrastructure/oidc/configured-providers.js';

const google = {
  OIDC_GOOGLE_ISSUER: 'https://accounts.google.com',
  OIDC_GOOGLE_CLIENT_ID: 'id.apps.googleusercontent.com',
  OIDC_GOOGLE_CLIENT_SECRET: 'secret',
  OIDC_GOOGLE_REDIRECT_URI: 'https://api.example/api/v1/auth/oidc/google/callback',
};

describe('OIDC providers from the environment', () => {
  it('none configured is no provider and no problem', () => {
    expect(parseOidcProviders({})).toEqual({ providers: [], problems: [] });
  });

  it('reads each named provider, with the default scope and a secret from a file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'oidc-'));
    writeFileSync(join(dir, 'secret'), 'from-file\n');
    const { providers, problems } = parseOidcProviders({
      OIDC_PROVIDERS: 'google, my-idp',
      ...google,
      OIDC_MY_IDP_ISSUER: 'http://127.0.0.1:7100',
      OIDC_MY_IDP_CLIENT_ID: 'c',
      OIDC_MY_IDP_CLIENT_SECRET_FILE: join(dir, 'secret'),
      OIDC_MY_IDP_REDIRECT_URI: 'http://127.0.0.1:8080/cb',
      OIDC_MY_IDP_SCOPE: 'openid email',
    });
    expect(problems).toEqual([]);
    expect(providers).toEqual([
      { name: 'google', issuer: google.OIDC_GOOGLE_ISSUER, clientId: google.OIDC_GOOGLE_CLIENT_ID, clientSecret: 'secret', redirectUri: google.OIDC_GOOGLE_REDIRECT_URI, scope: 'openid email profile' },
      { name: 'my-idp', issuer: 'http://127.0.0.1:7100', clientId: 'c', clientSecret: 'from-file', redirectUri: 'http://127.0.0.1:8080/cb', scope: 'openid email' },
    ]);
  });

  it('a half-configured or malformed provider is a problem per variable, never a silent skip', () => {
    const { providers, problems } = parseOidcProviders({
      OIDC_PROVIDERS: 'google,Bad Name',
      OIDC_GOOGLE_ISSUER: 'accounts.google.com',
      OIDC_GOOGLE_CLIENT_ID: 'id',
      OIDC_GOOGLE_REDIRECT_URI: 'https://x/cb',
      OIDC_GOOGLE_SCOPE: 'email',
    });
    expect(providers).toEqual([]);
    expect(problems.map((p) => p.variable).sort()).toEqual(
      ['OIDC_GOOGLE_CLIENT_SECRET', 'OIDC_GOOGLE_ISSUER', 'OIDC_GOOGLE_SCOPE', 'OIDC_PROVIDERS'].sort(),
    );
  });
});
