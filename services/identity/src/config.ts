import { ValidationError } from '@storytelling/kernel';
import { ConfigError, callerConfigSchema, int, loadConfig, serviceConfigSchema, str, type ConfigOf } from '@storytelling/platform';
import { Email, assertAcceptablePassword } from './domain/index.js';
import { parseOidcProviders } from './infrastructure/oidc/configured-providers.js';
import type { OidcProviderSettings } from './infrastructure/oidc/openid-client-provider.js';
import { parseServiceCredentials } from './infrastructure/security/service-credentials.js';

/**
 * The platform's caller settings: JWT_ISSUER and JWT_AUDIENCE (what identity signs and every
 * verifier expects; defaults DEFAULT_JWT_ISSUER / DEFAULT_JWT_AUDIENCE) and the verified-token
 * cache. Not IDENTITY_GRPC_URL: identity verifies its callers with its own keys.
 */
const { IDENTITY_GRPC_URL: _selfUrl, ...callerSettings } = callerConfigSchema;

/**
 * identity's environment: the platform's service variables (HOST, HTTP_PORT, GRPC_PORT,
 * DATABASE_URL, DATABASE_SCHEMA, KAFKA_BROKERS, KAFKA_TOPIC_PREFIX, LOG_LEVEL, NODE_ENV, ...)
 * and caller settings (JWT_ISSUER, JWT_AUDIENCE, VERIFIED_TOKEN_CACHE_*), plus token, key and
 * first-super-admin settings. Secrets may be given as `<NAME>_FILE`.
 */
export const identityConfigSchema = {
  ...serviceConfigSchema,
  ...callerSettings,
  DATABASE_SCHEMA: str({ pattern: /^[a-z_][a-z0-9_]{0,62}$/ }).default('identity'),
  JWT_PRIVATE_KEY: str({ minLength: 1 })
    .secret()
    .optional()
    .describe('PEM RSA private key (>= 2048 bits) signing access tokens; or JWT_PRIVATE_KEY_FILE. Required in production'),
  JWT_KEY_ID: str({ minLength: 1 }).optional().describe('kid of the signing key (default: its RFC 7638 thumbprint)'),
  JWT_PREVIOUS_PUBLIC_KEY_FILE: str({ minLength: 1 })
    .optional()
    .describe('PEM public key of the previous signing key, still verified and published during a rotation'),
  JWT_PREVIOUS_KEY_ID: str({ minLength: 1 }).optional().describe('kid of the previous key (default: its thumbprint)'),
  ACCESS_TOKEN_TTL_SECONDS: int({ min: 60, max: 86_400 }).default(900),
  REFRESH_TOKEN_TTL_SECONDS: int({ min: 300, max: 31_536_000 }).default(2_592_000),
  SUPERADMIN_EMAIL: str({ minLength: 1 }).optional().describe('first super-admin, created on first start if absent'),
  SUPERADMIN_PASSWORD: str({ minLength: 1 }).secret().optional().describe('password of the first super-admin (>= 10 characters)'),
  SERVICE_CREDENTIALS: str()
    .secret()
    .optional()
    .describe('fleet services that may get service tokens: `<service>:<sha256 hex of its SERVICE_TOKEN_SECRET>`, comma-separated (twice, current and next, while a secret rotates); or SERVICE_CREDENTIALS_FILE'),
  SERVICE_TOKEN_TTL_SECONDS: int({ min: 30, max: 3600 }).default(300).describe('lifetime of service tokens'),
  ARGON2_MEMORY_KIB: int({ min: 8192, max: 1_048_576 }).default(65_536).describe('argon2id memory cost (KiB)'),
  ARGON2_TIME_COST: int({ min: 1, max: 20 }).default(3).describe('argon2id iterations'),
  ARGON2_PARALLELISM: int({ min: 1, max: 16 }).default(4).describe('argon2id lanes'),
  OIDC_PROVIDERS: str()
    .optional()
    .describe('OpenID Connect providers, comma-separated lower-case names; each N needs OIDC_N_ISSUER, OIDC_N_CLIENT_ID, OIDC_N_CLIENT_SECRET(_FILE), OIDC_N_REDIRECT_URI'),
  OIDC_ATTEMPT_TTL_SECONDS: int({ min: 30, max: 3600 }).default(600).describe('how long a started OIDC sign-in may take'),
};

export type IdentityConfig = ConfigOf<typeof identityConfigSchema> & {
  /** Parsed from OIDC_PROVIDERS and the OIDC_<NAME>_* variables. */
  oidcProviders: OidcProviderSettings[];
};

/** loadConfig plus the rules that span variables; fails with every problem at once. */
export function loadIdentityConfig(env: NodeJS.ProcessEnv = process.env): IdentityConfig {
  const config = loadConfig(identityConfigSchema, { env, service: 'identity' });
  const problems: { variable: string; problem: string }[] = [];
  if (config.SUPERADMIN_EMAIL !== undefined || config.SUPERADMIN_PASSWORD !== undefined) {
    if (config.SUPERADMIN_EMAIL === undefined) problems.push({ variable: 'SUPERADMIN_EMAIL', problem: 'required with SUPERADMIN_PASSWORD' });
    else if (!Email.tryParse(config.SUPERADMIN_EMAIL)) problems.push({ variable: 'SUPERADMIN_EMAIL', problem: 'must be an email address' });
    if (config.SUPERADMIN_PASSWORD === undefined) problems.push({ variable: 'SUPERADMIN_PASSWORD', problem: 'required with SUPERADMIN_EMAIL' });
    else {
      try {
        assertAcceptablePassword(config.SUPERADMIN_PASSWORD);
      } catch (err) {
        problems.push({ variable: 'SUPERADMIN_PASSWORD', problem: err instanceof ValidationError ? err.fieldErrors[0]?.message ?? err.message : 'invalid' });
      }
    }
  }
  if (config.JWT_PREVIOUS_KEY_ID !== undefined && config.JWT_PREVIOUS_PUBLIC_KEY_FILE === undefined) {
    problems.push({ variable: 'JWT_PREVIOUS_KEY_ID', problem: 'needs JWT_PREVIOUS_PUBLIC_KEY_FILE' });
  }
  try {
    parseServiceCredentials(config.SERVICE_CREDENTIALS);
  } catch (err) {
    problems.push({ variable: 'SERVICE_CREDENTIALS', problem: err instanceof Error ? err.message : 'invalid' });
  }
  const oidc = parseOidcProviders(env);
  problems.push(...oidc.problems);
  if (problems.length > 0) throw new ConfigError(problems, 'identity');
  return { ...config, oidcProviders: oidc.providers };
}
