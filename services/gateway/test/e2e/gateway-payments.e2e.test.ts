/**
 * End to end: the gateway in process in front of the REAL identity and payments services (in
 * process on free ports, migrated, real PostgreSQL and Kafka; payments with its default sandbox
 * provider). A charge arrives as subscription's saga would send it (ChargePayment on
 * payments.commands); the history and the webhook route are driven over HTTP.
 */
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { PROTO_SERVICES, type payments as paymentsApi } from '@storytelling/contracts';
import { uuidv7 } from '@storytelling/kernel';
import { SandboxKafka, startInProcess, testEnvironment, waitUntil, type InProcessService } from '@storytelling/testing';
import { startIdentity, type RunningIdentity } from '../../../identity/test/support/app-harness.js';
import { createPaymentsApp } from '../../../payments/src/app.js';
import { startGateway } from '../support/app.js';
import { sandboxSignature } from '../support/fake-payments.js';
import { expectProblem, registerMember, type Member } from '../support/http.js';

const WEBHOOK_SECRET = 'e2e-sandbox-webhook-secret';
const sign = (payload: string, secret = WEBHOOK_SECRET, t?: number) => sandboxSignature(payload, secret, t);

describe('gateway ⇄ payments (real identity and payments services, Postgres, Kafka)', () => {
  let identity: RunningIdentity;
  let payments: InProcessService<paymentsApi.PaymentsServiceClient>;
  let gateway: INestApplication;
  let http: ReturnType<INestApplication['getHttpServer']>;
  let kafka: SandboxKafka;
  let member: Member;
  const paid = { paymentId: uuidv7(), sagaId: uuidv7() };
  const declined = { paymentId: uuidv7(), sagaId: uuidv7() };

  async function charge(ids: { paymentId: string; sagaId: string }, userId: string, amountMinor: string, token: string): Promise<void> {
    await kafka.publish('payments.commands', {
      type: 'storytelling.payments.payment.charge.v1',
      subject: ids.sagaId,
      data: { sagaId: ids.sagaId, paymentId: ids.paymentId, userId, subscriptionId: uuidv7(), amountMinor, currency: 'USD', paymentMethod: token, description: 'gold, monthly' },
      correlationid: ids.sagaId,
    });
  }

  const history = () => request(http).get('/api/v1/payments').set('authorization', `Bearer ${member.token}`);

  beforeAll(async () => {
    identity = await startIdentity();
    payments = await startInProcess('payments', PROTO_SERVICES.payments, createPaymentsApp, { IDENTITY_GRPC_URL: identity.handle.grpcUrl!, SANDBOX_WEBHOOK_SECRET: WEBHOOK_SECRET });
    gateway = await startGateway({ IDENTITY_GRPC_URL: identity.handle.grpcUrl!, PAYMENTS_GRPC_URL: payments.handle.grpcUrl!, GRPC_DEADLINE_MS: '5000' });
    http = gateway.getHttpServer();
    kafka = await SandboxKafka.start(testEnvironment(), { clientId: 'gateway-payments-e2e', source: '/storytelling/subscription' });
    member = await registerMember(http, 'Payer');
    await charge(paid, member.id, '999', 'tok_visa');
    await charge(declined, member.id, '1999', 'tok_insufficientFunds');
    await waitUntil(async () => {
      const res = await history();
      return res.body.items?.length === 2 && res.body.items.every((p: { status: string }) => p.status !== 'pending') ? res : undefined;
    }, 30_000);
  }, 180_000);

  afterAll(async () => {
    await kafka?.close();
    await gateway?.close();
    await payments?.close();
    await identity?.close();
  });

  it('GET /payments: the caller’s charges, newest first, in minor units + currency + decimal string', async () => {
    const res = await history();
    expect(res.status).toBe(200);
    expect(res.body.nextCursor).toBeNull();
    const byId = Object.fromEntries((res.body.items as Array<{ id: string }>).map((p) => [p.id, p]));
    expect(byId[paid.paymentId]).toMatchObject({ amountMinor: 999, currency: 'USD', amount: '9.99', status: 'succeeded', provider: 'sandbox', failureReason: null, refundedMinor: 0 });
    expect(byId[declined.paymentId]).toMatchObject({ amountMinor: 1999, amount: '19.99', status: 'failed', failureReason: 'insufficient_funds' });
    // Newest first (the two commands may be consumed in either order: compare their times).
    const times = (res.body.items as Array<{ createdAt: string }>).map((p) => Date.parse(p.createdAt));
    expect(times[0]).toBeGreaterThanOrEqual(times[1]!);
    const page = await request(http).get('/api/v1/payments?limit=1').set('authorization', `Bearer ${member.token}`);
    expect(page.body.items).toHaveLength(1);
    const next = await request(http).get(`/api/v1/payments?limit=1&cursor=${page.body.nextCursor}`).set('authorization', `Bearer ${member.token}`);
    expect(next.body.items[0].id).toBe(res.body.items[1].id);
    expect(next.body.nextCursor).toBeNull();
    expectProblem(await request(http).get('/api/v1/payments'), 401, 'UNAUTHENTICATED');
    expectProblem(await request(http).get('/api/v1/payments?cursor=bm9wZQ').set('authorization', `Bearer ${member.token}`), 400, 'INVALID_CURSOR');
  });

  it('POST /payments/webhooks/sandbox: signed raw body → 204 and applied once; bad or expired signature → 400; unknown provider → 404', async () => {
    // Spaces and key order exactly as the provider sent them: the signature covers these bytes.
    const payload = `{"id":"evt_${uuidv7()}", "type":"charge.refunded","data":{"object":{"id":"ch_1","payment_intent":"pi_x","amount_refunded":999,"metadata":{"payment_id":"${paid.paymentId}"}}}}`;
    const post = (body: string, signature: string, provider = 'sandbox') =>
      request(http).post(`/api/v1/payments/webhooks/${provider}`).set('content-type', 'application/json').set('sandbox-signature', signature).send(body);
    expectProblem(await post(payload, sign(payload, 'wrong-secret')), 400, 'WEBHOOK_SIGNATURE_INVALID');
    expectProblem(await post(payload, sign(payload, WEBHOOK_SECRET, Math.floor(Date.now() / 1000) - 301)), 400, 'WEBHOOK_SIGNATURE_INVALID');
    expectProblem(await post(payload, sign(payload), 'stripe'), 404, 'PAYMENT_PROVIDER_NOT_FOUND');
    expect((await history()).body.items.find((p: { id: string }) => p.id === paid.paymentId).status).toBe('succeeded');

    expect((await post(payload, sign(payload))).status).toBe(204);
    expect((await post(payload, sign(payload))).status).toBe(204); // a replay: answered, no second effect
    const refunded = (await history()).body.items.find((p: { id: string }) => p.id === paid.paymentId);
    expect(refunded).toMatchObject({ status: 'refunded', refundedMinor: 999 });
    expectProblem(await post('{not json', sign('{not json')), 400, 'WEBHOOK_PAYLOAD_INVALID');
    // Signed but nested 10,000 levels deep (JSON routes refuse more than 32): the same 400, never a 500.
    const deep = payload.replace('"ch_1"', '['.repeat(10_000) + ']'.repeat(10_000));
    expectProblem(await post(deep, sign(deep)), 400, 'JSON_TOO_DEEP');
  });

  it('/ready reports payments (an optional peer)', async () => {
    const ready = await waitUntil(async () => {
      const res = await request(http).get('/ready');
      return res.body?.checks?.payments?.ok === true ? res : undefined;
    }, 15_000);
    expect(ready.body.checks.payments).toEqual({ ok: true, optional: true });
  });
});
