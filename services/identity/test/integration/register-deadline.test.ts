// A registration whose caller stopped waiting is not applied: the gateway answered its client
// 503 at the gRPC deadline while identity, still hashing the password, went on to commit the user,
// so the client's retry met EMAIL_TAKEN for an account it was told was not made (docs/chaos.md).
// The platform's UnitOfWork neither opens nor commits a transaction past the call's deadline.
import { outcome, startIdentity, uniqueEmail, type RunningIdentity } from '../support/app-harness.js';

const PASSWORD = 'correct horse battery';

describe('identity: a registration past its caller deadline', () => {
  let app: RunningIdentity;

  beforeAll(async () => {
    // argon2id made slow enough (hundreds of ms) to outlast the first call's deadline.
    app = await startIdentity({ ARGON2_MEMORY_KIB: '65536', ARGON2_TIME_COST: '8', ARGON2_PARALLELISM: '1' });
  });

  afterAll(async () => {
    await app?.close();
  });

  it('is not committed, so the client retry registers instead of meeting EMAIL_TAKEN', async () => {
    const email = uniqueEmail('late');
    const request = { email, password: PASSWORD, displayName: 'Late' };
    const first = app.client.register(request, { deadlineMs: 100 });
    expect(await outcome(first)).toBe('DEADLINE_EXCEEDED:');
    // The retry starts while the first attempt is still hashing, and hashes as long: the first
    // would reach its commit first.
    const retryStarted = Date.now();
    const retried = await app.client.register(request);
    expect(Date.now() - retryStarted).toBeGreaterThan(150); // a hash outlasts the first call's 100 ms
    expect(retried.user).toMatchObject({ email, displayName: 'Late' });
    const login = await app.client.login({ email, password: PASSWORD });
    expect(login.user!.id).toBe(retried.user!.id);
  });
});
