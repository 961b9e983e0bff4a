import { ConfiguredServiceCredentials, parseServiceCredentials, serviceSecretHash } from '../../../src/infrastructure/security/service-credentials.js';
import { loadIdentityConfig } from '../../../src/config.js';

describe('SERVICE_CREDENTIALS', () => {
  const secret = 'a-long-random-secret-of-notification';

  it('verifies the configured secret of a known service only', () => {
    const creds = new ConfiguredServiceCredentials(parseServiceCredentials(`notification:${serviceSecretHash(secret)}, payments=${serviceSecretHash('other secret value')}`));
    expect(creds.verify('notification', secret)).toBe(true);
    expect(creds.verify('notification', `${secret}x`)).toBe(false);
    expect(creds.verify('payments', secret)).toBe(false);
    expect(creds.verify('unknown', secret)).toBe(false);
    expect(new ConfiguredServiceCredentials(parseServiceCredentials(undefined)).verify('notification', secret)).toBe(false);
  });

  it('accepts the current and the next secret of a rotating service, and only those', () => {
    const next = 'the-next-random-secret-of-notification';
    const creds = new ConfiguredServiceCredentials(parseServiceCredentials(`notification:${serviceSecretHash(secret)} notification:${serviceSecretHash(next)}`));
    expect(creds.verify('notification', secret)).toBe(true);
    expect(creds.verify('notification', next)).toBe(true);
    expect(creds.verify('notification', 'a third secret')).toBe(false);
    expect(creds.verify('payments', next)).toBe(false);
  });

  it('refuses malformed lists at start without echoing them', () => {
    expect(() => parseServiceCredentials('notification:abc')).toThrow('entry 1 is not <service>:<sha256 hex of its secret>');
    expect(() => parseServiceCredentials(`a:${serviceSecretHash('x')},a:${serviceSecretHash('x')}`)).toThrow('service a is listed twice with the same secret');
    expect(() => parseServiceCredentials(['x', 'y', 'z'].map((v) => `a:${serviceSecretHash(v)}`).join(','))).toThrow('service a is listed more than 2 times');
    const env = { HTTP_PORT: '7101', GRPC_PORT: '7201', DATABASE_URL: 'postgres://u:p@h:5432/d', KAFKA_BROKERS: 'k:9092', SERVICE_CREDENTIALS: 'notification:plain-secret' };
    expect(() => loadIdentityConfig(env)).toThrow(/SERVICE_CREDENTIALS/);
    expect(() => loadIdentityConfig(env)).not.toThrow(/plain-secret/);
  });
});
