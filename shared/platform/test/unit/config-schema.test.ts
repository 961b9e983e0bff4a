import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  baseConfigSchema,
  bool,
  ConfigError,
  int,
  list,
  loadConfig,
  oneOf,
  redactConfig,
  serviceConfigSchema,
  str,
  url,
} from '../../src/config/index.js';

const validEnv = {
  HTTP_PORT: '7101',
  GRPC_PORT: '7201',
  DATABASE_URL: 'postgres://identity:s3cret-pw@127.0.0.1:55432/storytelling',
  KAFKA_BROKERS: '127.0.0.1:59092, 127.0.0.1:59093',
};

describe('config: loadConfig with the service schema', () => {
  it('parses, converts and defaults every common variable', () => {
    const config = loadConfig(serviceConfigSchema, { env: validEnv });
    expect(config).toEqual({
      NODE_ENV: 'development',
      HOST: '127.0.0.1',
      HTTP_PORT: 7101,
      LOG_LEVEL: 'info',
      GRPC_DEADLINE_MS: 5000,
      GRPC_PORT: 7201,
      DATABASE_URL: validEnv.DATABASE_URL,
      DATABASE_SCHEMA: undefined,
      KAFKA_BROKERS: ['127.0.0.1:59092', '127.0.0.1:59093'],
      KAFKA_TOPIC_PREFIX: '',
      OUTBOX_RETENTION_MS: 7 * 86_400_000,
      INBOX_RETENTION_MS: 14 * 86_400_000,
      SAGA_RETENTION_MS: 30 * 86_400_000,
      RETENTION_SWEEP_INTERVAL_MS: 900_000,
      RETENTION_BATCH_SIZE: 1000,
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('fails fast with ONE message listing every missing or invalid variable', () => {
    let error: unknown;
    try {
      loadConfig(serviceConfigSchema, {
        service: 'identity',
        env: { HTTP_PORT: 'eighty', LOG_LEVEL: 'loud', DATABASE_URL: 'mysql://root:hunter2@db/x', GRPC_DEADLINE_MS: '0' },
      });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const e = error as ConfigError;
    expect(e.problems.map((p) => p.variable).sort()).toEqual(['DATABASE_URL', 'GRPC_DEADLINE_MS', 'GRPC_PORT', 'HTTP_PORT', 'KAFKA_BROKERS', 'LOG_LEVEL']);
    expect(e.message).toMatch(/^Invalid configuration for identity \(6 problems\):/);
    expect(e.message).toContain('HTTP_PORT: must be an integer (got "eighty")');
    expect(e.message).toContain('LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent');
    expect(e.message).toContain('GRPC_PORT: required');
    expect(e.message).toContain('KAFKA_BROKERS: required');
    // A secret's value never appears in the message.
    expect(e.message).toContain('DATABASE_URL: must be a postgres or postgresql URL');
    expect(e.message).not.toContain('hunter2');
  });

  it('lets services extend the schema and override entries', () => {
    const schema = {
      ...serviceConfigSchema,
      DATABASE_SCHEMA: str().default('identity'),
      JWT_ISSUER: url(),
      ACCESS_TOKEN_TTL_SECONDS: int({ min: 60 }).default(900),
      JWT_PRIVATE_KEY: str({ minLength: 10 }).secret(),
    };
    const config = loadConfig(schema, { env: { ...validEnv, JWT_ISSUER: 'http://localhost:8080', JWT_PRIVATE_KEY: '-----BEGIN PRIVATE KEY-----x' } });
    const ttl: number = config.ACCESS_TOKEN_TTL_SECONDS;
    expect(ttl).toBe(900);
    expect(config.DATABASE_SCHEMA).toBe('identity');
    expect(redactConfig(config)).toMatchObject({ JWT_PRIVATE_KEY: '[redacted]', DATABASE_URL: '[redacted]', JWT_ISSUER: 'http://localhost:8080' });
  });

  it('redacts personal data in the logged configuration: email addresses', () => {
    const config = loadConfig({ SUPERADMIN_EMAIL: str(), NOTIFY_FROM_EMAIL: str().default('x@example.com') }, { env: { SUPERADMIN_EMAIL: 'root.person@example.com' } });
    expect(redactConfig(config)).toEqual({ SUPERADMIN_EMAIL: '[redacted]', NOTIFY_FROM_EMAIL: '[redacted]' });
  });

  it('reads a secret from <NAME>_FILE', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    writeFileSync(join(dir, 'key.pem'), 'PEM-CONTENTS\n');
    const config = loadConfig({ JWT_PRIVATE_KEY: str().secret() }, { env: { JWT_PRIVATE_KEY_FILE: join(dir, 'key.pem') } });
    expect(config.JWT_PRIVATE_KEY).toBe('PEM-CONTENTS');
    expect(() => loadConfig({ JWT_PRIVATE_KEY: str().secret() }, { env: { JWT_PRIVATE_KEY_FILE: join(dir, 'missing') } })).toThrow(
      /JWT_PRIVATE_KEY_FILE: cannot read/,
    );
  });

  it('validates the small DSL types', () => {
    const schema = { A: bool(), B: oneOf(['x', 'y'] as const).optional(), C: list(), D: int({ max: 3 }).default(2) };
    expect(loadConfig({ A: bool(), D: int({ max: 3 }).default(2) }, { env: { A: 'yes' } })).toEqual({ A: true, D: 2 });
    expect(() => loadConfig(schema, { env: { A: 'maybe', B: 'z', C: '', D: '4' } })).toThrow(
      /A: must be true or false[\s\S]*B: must be one of x, y[\s\S]*C: required[\s\S]*D: must be between/,
    );
  });

  it('gives the gateway a base schema without database, Kafka or gRPC server', () => {
    const config = loadConfig(baseConfigSchema, { env: { HTTP_PORT: '8080', GRPC_DEADLINE_MS: '2500' } });
    expect(config).toEqual({ NODE_ENV: 'development', HOST: '127.0.0.1', HTTP_PORT: 8080, LOG_LEVEL: 'info', GRPC_DEADLINE_MS: 2500 });
  });
});
