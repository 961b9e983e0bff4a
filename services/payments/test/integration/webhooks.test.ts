import { uuidv7 } from '@storytelling/kernel';
import type { ServiceHandle } from '@storytelling/platform';
import { EventProbe, waitUntil } from '@storytelling/testing';
import Stripe from 'stripe';
import type { DataSource } from 'typeorm';
import { signatureHeader } from '../../src/infrastructure/providers/index.js';
import { FakeStripe } from '../support/fake-stripe.js';
import { CommandSender, SANDBOX_WEBHOOK_SECRET, chargeData, outcome, paymentsClient, paymentsDataSource, startPayments, type PaymentsClient } from '../support/harness.js';
import { createPaymentsSandbox, type PaymentsSandbox } from '../support/sandbox.js';

const STRIPE_WEBHOOK_SECRET = 'whsec_test_stripe_abcdef';
const PROCESSED = 'storytelling.payments.payment.processed.v1';
const FAILED = 'storytelling.payments.payment.failed.v1';
const REFUNDED = 'storytelling.payments.payment.refunded.v1';

/**
 * HandleWebhook over gRPC against real Postgres/Kafka: payments runs with PAYMENTS_PROVIDER=stripe
 * (the SDK talking to a local Stripe API) and both webhook secrets.
 */
describe('provider webhooks: signature, replay, reordering', () => {
  let sandbox: PaymentsSandbox;
  let fake: FakeStripe;
  let app: ServiceHandle;
  let client: PaymentsClient;
  let ds: DataSource;
  let sender: CommandSender;
  let probe: EventProbe;

  beforeAll(async () => {
    sandbox = await createPaymentsSandbox('hook');
    fake = await FakeStripe.start();
    app = await startPayments(sandbox, '127.0.0.1:9', {
      env: { PAYMENTS_PROVIDER: 'stripe', STRIPE_SECRET_KEY: fake.key, STRIPE_API_BASE_URL: fake.url, STRIPE_WEBHOOK_SECRET },
    });
    client = paymentsClient(app);
    ds = await paymentsDataSource(sandbox);
    sender = await CommandSender.start(sandbox);
    probe = await EventProbe.start('payments.payment.events', { topicPrefix: sandbox.topicPrefix });
  });

  afterAll(async () => {
    await probe?.close();
    await sender?.close();
    client?.close();
    await ds?.destroy();
    await app?.close();
    await fake?.close();
  });

  const now = () => Math.floor(Date.now() / 1000);
  const stripeEvent = (type: string, object: Record<string, unknown>, id = `evt_${uuidv7()}`) => JSON.stringify({ id, object: 'event', type, created: now(), data: { object } });
  const stripeHook = (payload: string, header = Stripe.webhooks.generateTestHeaderString({ payload, secret: STRIPE_WEBHOOK_SECRET })) =>
    client.handleWebhook({ provider: 'stripe', payload: Buffer.from(payload), headers: [{ name: 'Stripe-Signature', value: header }, { name: 'content-type', value: 'application/json' }] });
  const sandboxHook = (payload: string, timestamp = now()) =>
    client.handleWebhook({ provider: 'sandbox', payload: Buffer.from(payload), headers: [{ name: 'sandbox-signature', value: signatureHeader(payload, SANDBOX_WEBHOOK_SECRET, timestamp) }] });
  /** A readable event whose deepest value sits `levels` levels down (the event is level 1, data 2, data.object 3). */
  const nestedEvent = (levels: number, type: string, object: Record<string, unknown>) =>
    stripeEvent(type, { ...object, extra: '__NESTED__' }).replace('"__NESTED__"', '['.repeat(levels - 3) + ']'.repeat(levels - 3));
  const row = async (id: string) => ((await ds.query(`SELECT status, refunded_minor, failure_reason, version FROM payments WHERE id = $1`, [id])) as Array<Record<string, unknown>>)[0];
  const eventsOf = (paymentId: string) => probe.received.filter((e) => e.envelope.subject === paymentId);

  /** A pending payment made through `provider` (as a charge that the provider has not settled yet). */
  async function pendingPayment(provider: string, providerPaymentId: string): Promise<string> {
    const id = uuidv7();
    await ds.query(
      `INSERT INTO payments (id, user_id, subscription_id, saga_id, amount_minor, currency, provider, provider_payment_id, status)
       VALUES ($1, $2, '', $3, 1000, 'USD', $4, $5, 'pending')`,
      [id, uuidv7(), uuidv7(), provider, providerPaymentId],
    );
    return id;
  }

  it('Stripe: a processing charge stays pending until payment_intent.succeeded arrives signed; then PaymentProcessed', async () => {
    const sagaId = uuidv7();
    const data = chargeData({ sagaId, paymentMethod: 'pm_card_processing' });
    await sender.send('charge', sagaId, data);
    const pending = await waitUntil(async () => {
      const r = (await ds.query(`SELECT status, provider_payment_id FROM payments WHERE id = $1`, [data.paymentId])) as Array<{ status: string; provider_payment_id: string | null }>;
      return r[0]?.provider_payment_id ? r[0] : undefined;
    }, 20_000);
    expect(pending.status).toBe('pending');
    const payload = stripeEvent('payment_intent.succeeded', { id: pending.provider_payment_id, object: 'payment_intent', status: 'succeeded', metadata: { payment_id: data.paymentId } });
    expect(await stripeHook(payload)).toEqual({ outcome: 'applied' });
    const event = await probe.waitFor((e) => e.envelope.type === PROCESSED && e.envelope.subject === data.paymentId, 20_000);
    expect(event.envelope.correlationid).toBe(sagaId);
    expect(await row(data.paymentId as string)).toMatchObject({ status: 'succeeded' });
  });

  it('Stripe: a charge through the SDK succeeds end to end (pm_card_visa)', async () => {
    const sagaId = uuidv7();
    const data = chargeData({ sagaId, paymentMethod: 'pm_card_visa' });
    await sender.send('charge', sagaId, data);
    const event = await probe.waitFor((e) => e.envelope.type === PROCESSED && e.envelope.subject === data.paymentId, 20_000);
    expect(event.envelope.data).toMatchObject({ provider: 'stripe', providerPaymentId: expect.stringMatching(/^pi_fake_/) });
    expect(fake.requests.some((r) => r.headers['idempotency-key'] === data.paymentId)).toBe(true);
  });

  it('refuses bad signatures, expired timestamps and missing headers: UNAUTHENTICATED WEBHOOK_SIGNATURE_INVALID', async () => {
    const id = await pendingPayment('stripe', `pi_${uuidv7()}`);
    const payload = stripeEvent('payment_intent.succeeded', { id: 'pi_x', metadata: { payment_id: id } });
    const wrongSecret = Stripe.webhooks.generateTestHeaderString({ payload, secret: 'whsec_someone_else' });
    expect(await outcome(stripeHook(payload, wrongSecret))).toBe('UNAUTHENTICATED:WEBHOOK_SIGNATURE_INVALID');
    const expired = Stripe.webhooks.generateTestHeaderString({ payload, secret: STRIPE_WEBHOOK_SECRET, timestamp: now() - 301 });
    expect(await outcome(stripeHook(payload, expired))).toBe('UNAUTHENTICATED:WEBHOOK_SIGNATURE_INVALID');
    const tampered = Stripe.webhooks.generateTestHeaderString({ payload, secret: STRIPE_WEBHOOK_SECRET });
    expect(await outcome(stripeHook(payload.replace('succeeded', 'payment_failed'), tampered))).toBe('UNAUTHENTICATED:WEBHOOK_SIGNATURE_INVALID');
    expect(await outcome(client.handleWebhook({ provider: 'stripe', payload: Buffer.from(payload), headers: [] }))).toBe('UNAUTHENTICATED:WEBHOOK_SIGNATURE_INVALID');
    expect(await outcome(sandboxHook(payload, now() - 301))).toBe('UNAUTHENTICATED:WEBHOOK_SIGNATURE_INVALID');
    expect(await outcome(sandboxHook(payload, now() + 301))).toBe('UNAUTHENTICATED:WEBHOOK_SIGNATURE_INVALID');
    expect(await row(id)).toMatchObject({ status: 'pending', version: 0 });
    expect((await ds.query(`SELECT count(*)::int AS n FROM provider_events WHERE payment_id = $1`, [id]))[0].n).toBe(0);
  });

  it('unknown provider → NOT_FOUND; signed but malformed payload → INVALID_ARGUMENT; unknown event types are ignored', async () => {
    expect(await outcome(client.handleWebhook({ provider: 'paypal', payload: Buffer.from('{}'), headers: [] }))).toBe('NOT_FOUND:PAYMENT_PROVIDER_NOT_FOUND');
    expect(await outcome(stripeHook('{"id":"evt_1"}'))).toBe('INVALID_ARGUMENT:WEBHOOK_PAYLOAD_INVALID');
    expect(await outcome(sandboxHook('not json'))).toBe('INVALID_ARGUMENT:WEBHOOK_PAYLOAD_INVALID');
    expect(await outcome(stripeHook('{not json'))).toBe('INVALID_ARGUMENT:WEBHOOK_PAYLOAD_INVALID');
    expect(await stripeHook(stripeEvent('customer.created', { id: 'cus_1' }))).toEqual({ outcome: 'ignored' });
  });

  it('a signed body nested deeper than 32 levels (as on the gateway\'s JSON routes) → INVALID_ARGUMENT JSON_TOO_DEEP before it is parsed, never INTERNAL; the signature is checked first', async () => {
    const pi = `pi_${uuidv7()}`;
    const id = await pendingPayment('sandbox', pi);
    const succeeded = (levels: number) => nestedEvent(levels, 'payment_intent.succeeded', { id: pi, metadata: { payment_id: id } });
    // 10,000 levels: JSON.parse copes, but storing the payload (JSON.stringify, jsonb) overflows the stack.
    expect(await outcome(sandboxHook(succeeded(10_000)))).toBe('INVALID_ARGUMENT:JSON_TOO_DEEP');
    expect(await outcome(stripeHook(succeeded(10_000)))).toBe('INVALID_ARGUMENT:JSON_TOO_DEEP');
    expect(await outcome(sandboxHook(succeeded(33)))).toBe('INVALID_ARGUMENT:JSON_TOO_DEEP');
    expect(await outcome(sandboxHook(succeeded(10_000), now() - 301))).toBe('UNAUTHENTICATED:WEBHOOK_SIGNATURE_INVALID');
    expect(await row(id)).toMatchObject({ status: 'pending', version: 0 });
    expect((await ds.query(`SELECT count(*)::int AS n FROM provider_events WHERE payment_id = $1`, [id]))[0].n).toBe(0);
    // 32 levels is an event like any other; the service is still answering.
    expect(await sandboxHook(succeeded(32))).toEqual({ outcome: 'applied' });
    expect(await row(id)).toMatchObject({ status: 'succeeded', version: 1 });
  });

  it('a replayed event (same provider event id) has one effect', async () => {
    const pi = `pi_${uuidv7()}`;
    const id = await pendingPayment('sandbox', pi);
    const payload = stripeEvent('payment_intent.payment_failed', {
      id: pi,
      metadata: { payment_id: id },
      last_payment_error: { code: 'card_declined', decline_code: 'insufficient_funds', message: 'Your card has insufficient funds.' },
    });
    expect(await sandboxHook(payload)).toEqual({ outcome: 'applied' });
    expect(await sandboxHook(payload)).toEqual({ outcome: 'duplicate' });
    await probe.waitFor((e) => e.envelope.type === FAILED && e.envelope.subject === id, 20_000);
    expect(await row(id)).toMatchObject({ status: 'failed', failure_reason: 'insufficient_funds', version: 1 });
    await new Promise((r) => setTimeout(r, 300));
    expect(eventsOf(id)).toHaveLength(1);
  });

  it('out of order: charge.refunded before payment_intent.succeeded leaves the payment refunded; the late event is kept, ignored', async () => {
    const pi = `pi_${uuidv7()}`;
    const id = await pendingPayment('sandbox', pi);
    const refunded = stripeEvent('charge.refunded', { id: 'ch_1', object: 'charge', payment_intent: pi, amount_refunded: 1000, refunds: { data: [{ id: 're_1' }] } });
    const succeeded = stripeEvent('payment_intent.succeeded', { id: pi, metadata: { payment_id: id } });
    expect(await sandboxHook(refunded)).toEqual({ outcome: 'applied' });
    expect(await sandboxHook(succeeded)).toEqual({ outcome: 'ignored' });
    expect(await row(id)).toMatchObject({ status: 'refunded', refunded_minor: '1000', version: 2 });
    await probe.waitFor((e) => e.envelope.type === REFUNDED && e.envelope.subject === id, 20_000);
    await new Promise((r) => setTimeout(r, 300));
    expect(eventsOf(id).map((e) => e.envelope.type)).toEqual([PROCESSED, REFUNDED]);
    const kept = (await ds.query(`SELECT type, outcome FROM provider_events WHERE payment_id = $1 ORDER BY received_at`, [id])) as Array<{ type: string; outcome: string }>;
    expect(kept).toEqual([
      { type: 'charge.refunded', outcome: 'applied' },
      { type: 'payment_intent.succeeded', outcome: 'ignored' },
    ]);
    // An older cumulative refund total arriving late changes nothing either.
    const partial = stripeEvent('charge.refunded', { id: 'ch_1', payment_intent: pi, amount_refunded: 400 });
    expect(await sandboxHook(partial)).toEqual({ outcome: 'ignored' });
  });

  it('webhooks of one provider never touch payments of another', async () => {
    const pi = `pi_${uuidv7()}`;
    const id = await pendingPayment('stripe', pi);
    expect(await sandboxHook(stripeEvent('payment_intent.succeeded', { id: pi, metadata: { payment_id: id } }))).toEqual({ outcome: 'ignored' });
    expect(await row(id)).toMatchObject({ status: 'pending' });
  });
});
