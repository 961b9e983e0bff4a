/**
 * End to end over the whole fleet as real processes (ARCHITECTURE.md §8): every fleet.json
 * service compiled, migrated and started by the harness on free ports against this run's
 * PostgreSQL database and Kafka topic prefix, driven only through the gateway's HTTP API.
 *
 * What only the whole fleet shows: identity's UserRegistered reaches subscription (free plan),
 * story asks subscription before creating (the fourth story of a free user is 422
 * QUOTA_EXCEEDED), the paid-subscription saga charges through the real payments service (sandbox
 * provider) and activates, a declined card leaves the user on free, and notification tells the
 * subscriber in-app.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { startFleetProcesses, waitUntil, type FleetProcesses } from '@storytelling/testing';

interface Reply {
  status: number;
  body: Record<string, unknown> & { items?: Array<Record<string, unknown>>; code?: string };
  headers: Headers;
}

interface Member {
  id: string;
  token: string;
}

describe('the fleet as processes, through the gateway', () => {
  let fleet: FleetProcesses;
  let api: string;

  beforeAll(async () => {
    fleet = await startFleetProcesses({
      env: { LOG_LEVEL: 'warn', RATE_LIMIT_AUTH_PER_MINUTE: '1000', RATE_LIMIT_PER_MINUTE: '100000' },
      // A short sender loop so in-app notices are listed promptly.
      serviceOverrides: { notification: { NOTIFICATION_SEND_POLL_MS: '100' } },
      readyTimeoutMs: 90_000,
    });
    api = `${fleet.gatewayUrl!}/api/v1`;
  }, 180_000);

  afterAll(async () => {
    await fleet?.stop();
  });

  async function call(method: string, path: string, options: { token?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<Reply> {
    const headers: Record<string, string> = { ...(options.headers ?? {}) };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${api}${path}`, { method, headers, ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }) });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as Reply['body']) : {}, headers: res.headers };
  }

  /** Registers and waits until subscription's ACL has given the user the free plan. */
  async function member(name: string): Promise<Member> {
    const res = await call('POST', '/auth/register', {
      body: { email: `${name}.${randomBytes(4).toString('hex')}@example.com`, password: 'correct horse battery', displayName: name },
    });
    expect(res.status).toBe(201);
    const m = { id: (res.body.user as { id: string }).id, token: res.body.accessToken as string };
    await waitUntil(async () => (await call('GET', '/subscription', { token: m.token })).status === 200, 30_000);
    return m;
  }

  const story = (m: Member, n: number): Promise<Reply> =>
    call('POST', '/stories', { token: m.token, body: { title: `Story number ${n}`, content: `Once upon a time there was story ${n}.` } });

  async function subscriptionOf(m: Member): Promise<Record<string, unknown>> {
    const res = await call('GET', '/subscription', { token: m.token });
    expect(res.status).toBe(200);
    return res.body;
  }

  it('a free user has the free plan and the fourth story of the month is 422 QUOTA_EXCEEDED', async () => {
    const ana = await member('ana');
    expect(await subscriptionOf(ana)).toMatchObject({ tier: 'free', status: 'active', usage: { stories: { limit: 3 } } });
    for (const n of [1, 2, 3]) expect((await story(ana, n)).status).toBe(201);
    const fourth = await story(ana, 4);
    expect({ status: fourth.status, code: fourth.body.code }).toEqual({ status: 422, code: 'QUOTA_EXCEEDED' });
    expect(fourth.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    // usage is counted by subscription from StoryCreated
    await waitUntil(async () => ((await subscriptionOf(ana)).usage as { stories: { used: number } }).stories.used === 3, 20_000);
  }, 120_000);

  it('paying for silver with tok_visa: 202, the saga charges through payments, the plan activates, the quota grows, and the payment and an in-app notice are listed', async () => {
    const ben = await member('ben');
    for (const n of [1, 2, 3]) expect((await story(ben, n)).status).toBe(201);
    const key = randomUUID();
    const ask = { tierId: 'silver', billingCycle: 'monthly', paymentMethod: { token: 'tok_visa' } };
    const accepted = await call('POST', '/subscription', { token: ben.token, body: ask, headers: { 'idempotency-key': key } });
    expect(accepted.status).toBe(202);
    expect(accepted.headers.get('location')).toMatch(/\/subscription$/);
    const again = await call('POST', '/subscription', { token: ben.token, body: ask, headers: { 'idempotency-key': key } });
    expect({ status: again.status, body: again.body }).toEqual({ status: 202, body: accepted.body });

    await waitUntil(async () => (await subscriptionOf(ben)).tier === 'silver', 30_000);
    expect(await subscriptionOf(ben)).toMatchObject({ tier: 'silver', status: 'active', billingCycle: 'monthly', usage: { stories: { limit: 10 } } });

    const paid = await call('GET', '/payments', { token: ben.token });
    expect(paid.status).toBe(200);
    expect(paid.body.items).toHaveLength(1); // one charge, although the request was sent twice
    expect(paid.body.items![0]).toMatchObject({ status: 'succeeded', amountMinor: 999, currency: 'USD', amount: '9.99' });

    expect((await story(ben, 4)).status).toBe(201);
    await waitUntil(async () => {
      const notes = await call('GET', '/notifications', { token: ben.token });
      return notes.status === 200 && (notes.body.items ?? []).some((n) => n.type === 'subscription_activated');
    }, 30_000);
  }, 120_000);

  it('a declined card leaves the user on free with payment_failed, a failed payment, and a notice', async () => {
    const cal = await member('cal');
    const accepted = await call('POST', '/subscription', { token: cal.token, body: { tierId: 'gold', billingCycle: 'yearly', paymentMethod: { token: 'tok_chargeDeclined' } } });
    expect(accepted.status).toBe(202);
    await waitUntil(async () => ((await subscriptionOf(cal)).pendingChange as { status?: string } | null)?.status === 'payment_failed', 30_000);
    expect(await subscriptionOf(cal)).toMatchObject({ tier: 'free', status: 'active' });
    const payments = await call('GET', '/payments', { token: cal.token });
    expect(payments.body.items).toEqual([expect.objectContaining({ status: 'failed', failureReason: 'card_declined', amountMinor: 19990 })]);
    await waitUntil(async () => {
      const notes = await call('GET', '/notifications', { token: cal.token });
      return notes.status === 200 && (notes.body.items ?? []).some((n) => n.type === 'payment_failed');
    }, 30_000);
  }, 120_000);
});
