import { uuidv7 } from '@storytelling/kernel';
import { HandleWebhookCommand, HandleWebhookHandler, type WebhookVerifier } from '../../../src/application/index.js';
import { Payment, PaymentEventTypes, money } from '../../../src/domain/index.js';
import { SandboxWebhookVerifier, signatureHeader } from '../../../src/infrastructure/providers/index.js';
import { fixedClock, inMemoryPayments, outboxEvents, paymentRow, type PaymentsUnitOfWorkInMemory } from '../../support/in-memory.js';

const SECRET = 'sandbox-secret-0123456789';
const { PaymentProcessed, PaymentRefunded } = PaymentEventTypes;

describe('HandleWebhookHandler (in memory)', () => {
  const clock = fixedClock();
  let uow: PaymentsUnitOfWorkInMemory;
  let handler: HandleWebhookHandler;

  beforeEach(() => {
    uow = inMemoryPayments(clock);
    const verifiers = new Map<string, WebhookVerifier>([['sandbox', new SandboxWebhookVerifier(SECRET)]]);
    handler = new HandleWebhookHandler(uow, verifiers, clock);
  });

  /** A pending payment of 1000 USD the provider knows as `providerPaymentId`. */
  async function pendingPayment(providerPaymentId: string, provider = 'sandbox'): Promise<string> {
    const id = uuidv7();
    const payment = Payment.pending({ id, userId: uuidv7(), subscriptionId: 'sub', sagaId: uuidv7(), amount: money(1000, 'USD'), provider, description: '' }, clock);
    await uow.run(async ({ payments }) => {
      await payments.insertPendingIfAbsent(payment);
      const stored = await payments.find(id);
      stored!.awaitProvider(providerPaymentId);
      await payments.save(stored!);
    });
    return id;
  }

  const event = (type: string, object: Record<string, unknown>, id = `evt_${uuidv7()}`) => JSON.stringify({ id, object: 'event', type, data: { object } });
  const deliver = (payload: string, options: { provider?: string; secret?: string } = {}) => {
    const t = Math.floor(clock.now().getTime() / 1000);
    const headers = { 'sandbox-signature': signatureHeader(payload, options.secret ?? SECRET, t) };
    return handler.execute(new HandleWebhookCommand(options.provider ?? 'sandbox', Buffer.from(payload), headers));
  };
  const outcomes = () => [...uow.tables.providerEvents.values()].map((e) => [e.type, e.outcome]);

  it('applies a signed payment_intent.succeeded once: PaymentProcessed; the replay is a duplicate', async () => {
    const id = await pendingPayment('pi_1');
    const payload = event('payment_intent.succeeded', { id: 'pi_1', metadata: { payment_id: id } });
    expect(await deliver(payload)).toBe('applied');
    expect(await deliver(payload)).toBe('duplicate');
    expect(paymentRow(uow, id)).toMatchObject({ status: 'succeeded', providerPaymentId: 'pi_1', version: 1 });
    expect(outboxEvents(uow, undefined, id).map((e) => e.type)).toEqual([PaymentProcessed]);
    expect([...uow.tables.providerEvents.values()]).toEqual([expect.objectContaining({ provider: 'sandbox', paymentId: id, outcome: 'applied' })]);
  });

  it('finds the payment by the provider id when metadata has none; out of order, a late success is kept but ignored', async () => {
    const id = await pendingPayment('pi_2');
    const refunded = event('charge.refunded', { id: 'ch_1', payment_intent: 'pi_2', amount_refunded: 1000, refunds: { data: [{ id: 're_1' }] } });
    expect(await deliver(refunded)).toBe('applied');
    expect(await deliver(event('payment_intent.succeeded', { id: 'pi_2', metadata: { payment_id: id } }))).toBe('ignored');
    expect(await deliver(event('charge.refunded', { id: 'ch_1', payment_intent: 'pi_2', amount_refunded: 400 }))).toBe('ignored');
    expect(paymentRow(uow, id)).toMatchObject({ status: 'refunded', refundedMinor: 1000 });
    expect(outboxEvents(uow, undefined, id).map((e) => e.type)).toEqual([PaymentProcessed, PaymentRefunded]);
    expect(outcomes()).toEqual([
      ['charge.refunded', 'applied'],
      ['payment_intent.succeeded', 'ignored'],
      ['charge.refunded', 'ignored'],
    ]);
  });

  it("ignores events for another provider's payment and event types it does not know", async () => {
    const id = await pendingPayment('pi_3', 'stripe');
    expect(await deliver(event('payment_intent.succeeded', { id: 'pi_3', metadata: { payment_id: id } }))).toBe('ignored');
    expect(await deliver(event('customer.created', { id: 'cus_1' }))).toBe('ignored');
    expect(paymentRow(uow, id)).toMatchObject({ status: 'pending' });
    expect(outboxEvents(uow, PaymentProcessed)).toEqual([]);
  });

  it('refuses a bad signature (WEBHOOK_SIGNATURE_INVALID) and an unconfigured provider (PAYMENT_PROVIDER_NOT_FOUND), storing nothing', async () => {
    const id = await pendingPayment('pi_4');
    const payload = event('payment_intent.succeeded', { id: 'pi_4', metadata: { payment_id: id } });
    await expect(deliver(payload, { secret: 'someone-else-0123456' })).rejects.toMatchObject({ kind: 'unauthenticated', code: 'WEBHOOK_SIGNATURE_INVALID' });
    await expect(deliver(payload, { provider: 'stripe' })).rejects.toMatchObject({ kind: 'not_found', code: 'PAYMENT_PROVIDER_NOT_FOUND' });
    expect(uow.tables.providerEvents.size).toBe(0);
    expect(paymentRow(uow, id)).toMatchObject({ status: 'pending' });
  });
});
