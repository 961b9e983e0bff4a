/**
 * End to end: the gateway in process in front of the REAL identity and subscription services
 * (in process on free ports, migrated, real PostgreSQL and Kafka, in a sandbox of their own:
 * schemas and topic prefix), driven over HTTP. The test plays the payments context for the
 * saga: it reads ChargePayment off payments.commands and answers as payments does. The
 * coordinator's fleet e2e runs the real payments service.
 */
import { FixedClock } from '@storytelling/kernel';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { EventProbe, waitUntil } from '@storytelling/testing';
import {
  Publisher,
  createSandbox,
  startIdentity,
  startSubscription,
  type RunningIdentity,
  type RunningSubscription,
} from '../../../subscription/test/support/harness.js';
import { PaymentsDouble } from '../../../subscription/test/support/payments-double.js';
import { startGateway } from '../support/app.js';
import { authorized, expectProblem, registerMember, type Member } from '../support/http.js';

describe('gateway → subscription (real identity and subscription services)', () => {
  let identity: RunningIdentity;
  let subscription: RunningSubscription;
  let gateway: INestApplication;
  let http: ReturnType<INestApplication['getHttpServer']>;
  let publisher: Publisher;
  let commands: EventProbe;
  let payments: PaymentsDouble;

  beforeAll(async () => {
    const sandbox = await createSandbox('gw');
    identity = await startIdentity(sandbox);
    subscription = await startSubscription(sandbox, { clock: new FixedClock(new Date()), identityUrl: identity.handle.grpcUrl! });
    publisher = await Publisher.start(sandbox);
    commands = await EventProbe.start('payments.commands', { topicPrefix: sandbox.topicPrefix });
    payments = new PaymentsDouble(commands, publisher);
    gateway = await startGateway({ IDENTITY_GRPC_URL: identity.handle.grpcUrl!, SUBSCRIPTION_GRPC_URL: subscription.handle.grpcUrl! });
    http = gateway.getHttpServer();
  }, 120_000);

  afterAll(async () => {
    await gateway?.close();
    await Promise.all([commands?.close(), publisher?.close()]);
    await subscription?.close();
    await identity?.close();
  });

  /** Registers through the gateway and waits until subscription's ACL gave the user the free subscription. */
  async function member(): Promise<Member> {
    const m = await registerMember(http, 'Member');
    await waitUntil(async () => (await authorized(http, m.token).get('/api/v1/subscription')).status === 200, 20_000);
    return m;
  }

  const auth = (m: { token: string }) => (r: request.Test) => r.set('authorization', `Bearer ${m.token}`);

  it('GET /subscription/tiers is public and answers the catalogue of API.md', async () => {
    const res = await request(http).get('/api/v1/subscription/tiers');
    expect(res.status).toBe(200);
    expect(res.body.items.map((t: { id: string; priceMonthly: string; priceYearly: string }) => [t.id, t.priceMonthly, t.priceYearly])).toEqual([
      ['free', '0.00', '0.00'],
      ['silver', '9.99', '99.90'],
      ['gold', '19.99', '199.90'],
      ['platinum', '39.99', '399.90'],
    ]);
    expect(res.body.items[3]).toEqual({
      id: 'platinum',
      name: 'Platinum',
      priceMonthly: '39.99',
      priceYearly: '399.90',
      currency: 'USD',
      limits: { storiesPerMonth: null, narrationsPerMonth: null, videosPerMonth: 40, videoMaxSeconds: 60, collaboratorsPerStory: null },
      features: { voiceCloning: true },
    });
  });

  it('a new member has an active free subscription with usage per resource', async () => {
    const m = await member();
    const res = await auth(m)(request(http).get('/api/v1/subscription'));
    expect(res.body).toMatchObject({ tier: 'free', status: 'active', billingCycle: 'monthly', cancelAtPeriodEnd: false, pendingChange: null, graceEndsAt: null });
    expect(res.body.usage).toEqual({ stories: { used: 0, limit: 3 }, narrations: { used: 0, limit: 3 }, videos: { used: 0, limit: 0 } });
    expectProblem(await request(http).get('/api/v1/subscription'), 401, 'UNAUTHENTICATED');
  });

  it('POST /subscription → 202 payment_pending → (payments answers) → active gold; the same Idempotency-Key replays, another body is 409', async () => {
    const m = await member();
    const body = { tierId: 'gold', billingCycle: 'monthly', paymentMethod: { token: 'tok_visa' } };
    const res = await auth(m)(request(http).post('/api/v1/subscription')).set('idempotency-key', 'gw-key-1').send(body);
    expect(res.status).toBe(202);
    expect(res.headers.location).toBe('/api/v1/subscription');
    expect(res.body).toMatchObject({ tier: 'free', pendingChange: { tier: 'gold', billingCycle: 'monthly', status: 'payment_pending' } });
    const replay = await auth(m)(request(http).post('/api/v1/subscription')).set('idempotency-key', 'gw-key-1').send(body);
    expect({ status: replay.status, body: replay.body }).toEqual({ status: 202, body: res.body });
    expectProblem(await auth(m)(request(http).post('/api/v1/subscription')).set('idempotency-key', 'gw-key-1').send({ ...body, tierId: 'silver' }), 409, 'IDEMPOTENCY_KEY_REUSED');
    expectProblem(await auth(m)(request(http).post('/api/v1/subscription')).send({ ...body, tierId: 'silver' }), 409, 'SUBSCRIPTION_CHANGE_PENDING');

    const charge = await payments.charge(res.body.id);
    expect(charge.envelope.data).toMatchObject({ userId: m.id, amountMinor: '1999', currency: 'USD', paymentMethod: 'tok_visa' });
    await payments.processed(charge);
    const active = await waitUntil(async () => {
      const r = await auth(m)(request(http).get('/api/v1/subscription'));
      return r.body.tier === 'gold' ? r : undefined;
    }, 20_000);
    expect(active.body).toMatchObject({ tier: 'gold', status: 'active', pendingChange: null });
    expect(active.body.usage.videos).toEqual({ used: 0, limit: 10 });

    const cancelled = await auth(m)(request(http).post('/api/v1/subscription/cancel'));
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ tier: 'gold', cancelAtPeriodEnd: true });
  });

  it('a declined card leaves the member on free with payment_failed; bad requests are problem+json', async () => {
    const m = await member();
    const res = await auth(m)(request(http).post('/api/v1/subscription')).send({ tierId: 'silver', billingCycle: 'yearly', paymentMethod: { token: 'tok_chargeDeclined' } });
    expect(res.status).toBe(202);
    await payments.failed(await payments.charge(res.body.id), 'card_declined');
    const failed = await waitUntil(async () => {
      const r = await auth(m)(request(http).get('/api/v1/subscription'));
      return r.body.pendingChange?.status === 'payment_failed' ? r : undefined;
    }, 20_000);
    expect(failed.body).toMatchObject({ tier: 'free', pendingChange: { tier: 'silver', billingCycle: 'yearly', status: 'payment_failed', failureReason: 'card_declined' } });

    expectProblem(await auth(m)(request(http).post('/api/v1/subscription')).send({ tierId: 'diamond', billingCycle: 'monthly', paymentMethod: { token: 'tok_visa' } }), 404, 'TIER_NOT_FOUND');
    expectProblem(await auth(m)(request(http).post('/api/v1/subscription')).send({ tierId: 'free', billingCycle: 'monthly', paymentMethod: { token: 'tok_visa' } }), 422, 'TIER_NOT_PURCHASABLE');
    expectProblem(await auth(m)(request(http).post('/api/v1/subscription')).send({ tierId: 'gold', billingCycle: 'daily', paymentMethod: { token: 'tok_visa' } }), 400, 'VALIDATION_FAILED');
    expectProblem(await auth(m)(request(http).post('/api/v1/subscription/cancel')), 422, 'SUBSCRIPTION_NOT_CANCELLABLE');
  });

  it('/ready reports subscription (an optional peer)', async () => {
    const ready = await waitUntil(async () => {
      const res = await request(http).get('/ready');
      return res.body?.checks?.subscription?.ok === true ? res : undefined;
    }, 15_000);
    expect(ready.body.checks.subscription).toEqual({ ok: true, optional: true });
  });
});
