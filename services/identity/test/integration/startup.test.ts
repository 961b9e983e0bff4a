import { EventProbe } from '@storytelling/testing';
import { createIdentityApp } from '../../src/app.js';
import { outcome, startIdentity, uniqueEmail } from '../support/app-harness.js';

describe('identity start-up', () => {
  let probe: EventProbe;
  beforeAll(async () => {
    probe = await EventProbe.start('identity.user.events');
  });
  afterAll(async () => {
    await probe?.close();
  });

  it('creates the configured super-admin once: a second start finds it and changes nothing', async () => {
    const email = uniqueEmail('root');
    const password = 'first start password';
    const first = await startIdentity({ SUPERADMIN_EMAIL: email, SUPERADMIN_PASSWORD: password });
    let userId: string;
    try {
      const login = await first.client.login({ email, password });
      expect(login.user!.role).toBe('super-admin');
      userId = login.user!.id;
    } finally {
      await first.close();
    }
    // the second start is configured with another password: the existing account is left alone
    const second = await startIdentity({ SUPERADMIN_EMAIL: email.toUpperCase(), SUPERADMIN_PASSWORD: 'second start password' });
    try {
      expect(await outcome(second.client.login({ email, password: 'second start password' }))).toBe('UNAUTHENTICATED:INVALID_CREDENTIALS');
      expect((await second.client.login({ email, password })).user!.id).toBe(userId);
      // Wait while `second` runs: its relay publishes this login's event; once closed, nothing would.
      await probe.waitFor((e) => e.envelope.type === 'storytelling.identity.user.authenticated.v1' && e.envelope.subject === userId);
    } finally {
      await second.close();
    }
    const mine = probe.received.filter((e) => e.envelope.subject === userId).map((e) => e.envelope.type);
    expect(mine.filter((t) => t === 'storytelling.identity.user.registered.v1')).toHaveLength(1);
    expect(mine.filter((t) => t === 'storytelling.identity.user.role_assigned.v1')).toHaveLength(1);
    const assigned = probe.received.find((e) => e.envelope.subject === userId && e.envelope.type.endsWith('role_assigned.v1'))!;
    expect(assigned.envelope.data).toEqual({ userId, role: 'super-admin', previousRole: 'member', assignedAt: expect.any(String) });
  });

  it('refuses to start in production without a signing key, and with an invalid configuration', async () => {
    const base = { HTTP_PORT: '0', GRPC_PORT: '0', DATABASE_URL: 'postgres://identity:x@127.0.0.1:1/none', KAFKA_BROKERS: '127.0.0.1:1' };
    await expect(createIdentityApp({ ...base, NODE_ENV: 'production' }, { shutdownHooks: false })).rejects.toThrow(
      /JWT_PRIVATE_KEY or JWT_PRIVATE_KEY_FILE is required/,
    );
    await expect(createIdentityApp({ ...base, ACCESS_TOKEN_TTL_SECONDS: 'soon', SUPERADMIN_EMAIL: 'x' }, { shutdownHooks: false })).rejects.toThrow(
      /ACCESS_TOKEN_TTL_SECONDS/,
    );
  });
});
