import { retentionConfigSchema } from '../retention/retention-config.js';
import { verifiedTokenCacheConfigSchema } from '../auth/verified-token-cache.js';
import { hostPort, int, list, oneOf, port, str, url, type ConfigOf } from './schema.js';

export const NODE_ENVS = ['development', 'test', 'production'] as const;
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/**
 * What every process reads (docs/conventions.md, "Environment"): the gateway uses this part on
 * its own; backend services use `serviceConfigSchema`.
 */
export const baseConfigSchema = {
  NODE_ENV: oneOf(NODE_ENVS).default('development'),
  HOST: str({ minLength: 1 }).default('127.0.0.1').describe('bind address'),
  HTTP_PORT: port().describe('HTTP port (health, ready, metrics; the API for the gateway)'),
  LOG_LEVEL: oneOf(LOG_LEVELS).default('info'),
  GRPC_DEADLINE_MS: int({ min: 1, max: 600_000 }).default(5000).describe('deadline of outgoing gRPC calls in ms'),
};

/**
 * Backend services: the base plus gRPC, Postgres and Kafka. Extend it with the service's own
 * variables: `loadConfig({ ...serviceConfigSchema, JWT_ISSUER: str() })`. DATABASE_SCHEMA is
 * optional here; the service falls back to its name (`config.DATABASE_SCHEMA ?? 'identity'`) or
 * overrides the entry with `str().default('identity')`.
 */
export const serviceConfigSchema = {
  ...baseConfigSchema,
  GRPC_PORT: port().describe('gRPC server port'),
  DATABASE_URL: url(['postgres:', 'postgresql:']).secret().describe('postgres://<role>:<password>@host:port/storytelling'),
  DATABASE_SCHEMA: str({ pattern: /^[a-z_][a-z0-9_]{0,62}$/ }).optional(),
  KAFKA_BROKERS: list(hostPort()).describe('comma-separated host:port'),
  KAFKA_TOPIC_PREFIX: str().default(''),
  // Outbox, inbox, saga and idempotency-key retention (docs/adr/0017-retention.md).
  ...retentionConfigSchema,
};

/** The brief's name for the common schema of backend services. */
export const commonConfigSchema = serviceConfigSchema;

export type BaseConfig = ConfigOf<typeof baseConfigSchema>;
export type ServiceConfig = ConfigOf<typeof serviceConfigSchema>;

/** `<SERVICE>_GRPC_URL` for a peer, e.g. grpcUrlVar('identity') === 'IDENTITY_GRPC_URL'. */
export function grpcUrlVar(service: string): string {
  return `${service.toUpperCase().replace(/-/g, '_')}_GRPC_URL`;
}

/** identity's defaults for the access-token claims (its JWT_ISSUER / JWT_AUDIENCE). */
export const DEFAULT_JWT_ISSUER = 'storytelling-identity';
export const DEFAULT_JWT_AUDIENCE = 'storytelling-api';

/**
 * Services that verify who calls them against identity's JWKS: where identity is and which
 * claims to expect. ServiceModule.forService builds the verifier from these.
 */
export const callerConfigSchema = {
  IDENTITY_GRPC_URL: hostPort().default('127.0.0.1:7201').describe("identity's gRPC server (GetJwks, to verify callers' tokens)"),
  JWT_ISSUER: str({ minLength: 1 }).default(DEFAULT_JWT_ISSUER).describe('expected iss of access tokens'),
  JWT_AUDIENCE: str({ minLength: 1 }).default(DEFAULT_JWT_AUDIENCE).describe('expected aud of access tokens'),
  ...verifiedTokenCacheConfigSchema,
};

export type CallerConfig = ConfigOf<typeof callerConfigSchema>;
