import { readFileSync } from 'node:fs';
import type { Provider } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { OidcProvider, OidcProviderRegistry } from '../../application/ports/index.js';
import { OIDC_ATTEMPT_TTL_SECONDS, OIDC_LOGIN_ATTEMPTS, OIDC_PROVIDERS } from '../../application/ports/index.js';
import { SqlOidcLoginAttempts } from '../persistence/sql-oidc-login-attempts.js';
import { OpenIdClientProvider, type OidcProviderSettings, type OpenIdClientOptions } from './openid-client-provider.js';

const NAME = /^[a-z][a-z0-9-]{0,31}$/;

export interface ProviderProblem {
  variable: string;
  problem: string;
}

/**
 * Providers from the environment: `OIDC_PROVIDERS=google,local` and, for each name N (upper
 * case, `-` as `_`), `OIDC_N_ISSUER`, `OIDC_N_CLIENT_ID`, `OIDC_N_CLIENT_SECRET` (or
 * `OIDC_N_CLIENT_SECRET_FILE`), `OIDC_N_REDIRECT_URI` and optionally `OIDC_N_SCOPE`
 * (default `openid email profile`). Google is a standard issuer: `https://accounts.google.com`.
 */
export function parseOidcProviders(env: NodeJS.ProcessEnv): { providers: OidcProviderSettings[]; problems: ProviderProblem[] } {
  const providers: OidcProviderSettings[] = [];
  const problems: ProviderProblem[] = [];
  const names = (env.OIDC_PROVIDERS ?? '').split(',').map((n) => n.trim()).filter(Boolean);
  for (const name of new Set(names)) {
    if (!NAME.test(name)) {
      problems.push({ variable: 'OIDC_PROVIDERS', problem: `${JSON.stringify(name)} is not a lower-case provider name` });
      continue;
    }
    const prefix = `OIDC_${name.toUpperCase().replace(/-/g, '_')}_`;
    const read = (key: string, secret = false): string | undefined => {
      const value = env[prefix + key];
      if (value) return value;
      const file = secret ? env[`${prefix}${key}_FILE`] : undefined;
      if (!file) return undefined;
      try {
        return readFileSync(file, 'utf8').trim();
      } catch {
        problems.push({ variable: `${prefix}${key}_FILE`, problem: 'cannot be read' });
        return undefined;
      }
    };
    const issuer = read('ISSUER');
    const clientId = read('CLIENT_ID');
    const clientSecret = read('CLIENT_SECRET', true);
    const redirectUri = read('REDIRECT_URI');
    const scope = read('SCOPE') ?? 'openid email profile';
    for (const [key, value] of [['ISSUER', issuer], ['CLIENT_ID', clientId], ['CLIENT_SECRET', clientSecret], ['REDIRECT_URI', redirectUri]] as const) {
      if (!value) problems.push({ variable: prefix + key, problem: `required for provider ${name}` });
    }
    for (const [key, value] of [['ISSUER', issuer], ['REDIRECT_URI', redirectUri]] as const) {
      if (value && !isHttpUrl(value)) problems.push({ variable: prefix + key, problem: 'must be an http(s) URL' });
    }
    if (!scope.split(' ').includes('openid')) problems.push({ variable: `${prefix}SCOPE`, problem: 'must include openid' });
    if (issuer && clientId && clientSecret && redirectUri) providers.push({ name, issuer, clientId, clientSecret, redirectUri, scope });
  }
  return { providers, problems };
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}

export class ConfiguredOidcProviders implements OidcProviderRegistry {
  private readonly byName: Map<string, OidcProvider>;

  constructor(settings: readonly OidcProviderSettings[], options: OpenIdClientOptions = {}) {
    this.byName = new Map(settings.map((s) => [s.name, new OpenIdClientProvider(s, options)]));
  }

  get(name: string): OidcProvider | undefined {
    return this.byName.get(name);
  }
}

/** identity's OIDC providers: the registry from the configuration, the attempt store, the attempt lifetime. */
export function oidcProviders(settings: readonly OidcProviderSettings[], attemptTtlSeconds: number, options: OpenIdClientOptions = {}): Provider[] {
  return [
    { provide: OIDC_PROVIDERS, useValue: new ConfiguredOidcProviders(settings, options) },
    { provide: OIDC_LOGIN_ATTEMPTS, useFactory: (ds: DataSource) => new SqlOidcLoginAttempts(ds), inject: [DataSource] },
    { provide: OIDC_ATTEMPT_TTL_SECONDS, useValue: attemptTtlSeconds },
  ];
}
