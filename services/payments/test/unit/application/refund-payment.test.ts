import { uuidv7 } from '@storytelling/kernel';
import { ChargePaymentCommand, ChargePaymentHandler, RefundPaymentCommand, RefundPaymentHandler, type RefundPaymentInput } from '../../../src/application/index.js';
import { PaymentEventTypes } from '../../../src/domain/index.js';
import { ControllableProvider } from '../../support/controllable-provider.js';
import { chargeInput, fixedClock, inMemoryPayments, outboxEvents, paymentRow, type PaymentsUnitOfWorkInMemory } from '../../support/in-memory.js';

const { PaymentRefunded } = PaymentEventTypes;

describe('RefundPaymentCommand (its own validation)', () => {
  it('accepts 0 (everything left) and refuses other amounts that are not minor units, and ids that are not UUIDs', () => {
    expect(new RefundPaymentCommand({ sagaId: uuidv7(), paymentId: uuidv7(), amountMinor: '0', reason: '' }).refund.amountMinor).toBe(0);
    expect(() => new RefundPaymentCommand({ sagaId: uuidv7(), paymentId: 'p', amountMinor: '-1', reason: '' })).toThrow(
      expect.objectContaining({ code: 'PAYMENT_COMMAND_INVALID', message: 'invalid RefundPayment: paymentId must be a UUID; amountMinor must be 0 or a positive integer' }),
    );
  });
});

describe('RefundPaymentHandler (in memory)', () => {
  let uow: PaymentsUnitOfWorkInMemory;
  let provider: ControllableProvider;
  let refunds: RefundPaymentHandler;
  let paymentId: string;
  const clock = fixedClock();

  const refund = (sagaId: string, amountMinor: string, overrides: Partial<RefundPaymentInput> = {}) =>
    refunds.execute(new RefundPaymentCommand({ sagaId, paymentId, amountMinor, reason: 'activation failed', ...overrides }));
  const refundedAmounts = () => outboxEvents(uow, PaymentRefunded, paymentId).map((e) => (e.data as { amountMinor: string }).amountMinor);

  beforeEach(async () => {
    uow = inMemoryPayments(clock);
    provider = new ControllableProvider();
    refunds = new RefundPaymentHandler(uow, provider);
    const charge = chargeInput({ amountMinor: '1000', paymentMethod: 'tok_visa' });
    paymentId = charge.paymentId;
    await new ChargePaymentHandler(uow, provider, clock).execute(new ChargePaymentCommand(charge));
  });

  it('refunds partially, then the rest; each refund is recorded succeeded with its provider id', async () => {
    await refund(uuidv7(), '300');
    expect(paymentRow(uow, paymentId)).toMatchObject({ status: 'succeeded', refundedMinor: 300 });
    await refund(uuidv7(), '0');
    expect(paymentRow(uow, paymentId)).toMatchObject({ status: 'refunded', refundedMinor: 1000 });
    expect(refundedAmounts()).toEqual(['300', '700']);
    const rows = [...uow.tables.refunds.values()];
    expect(rows.map((r) => [r.amountMinor, r.status])).toEqual([
      [300, 'succeeded'],
      [700, 'succeeded'],
    ]);
    expect(rows.every((r) => r.providerRefundId?.startsWith('sbx_re_'))).toBe(true);
    expect(provider.refundCalls).toBe(2);
  });

  it('a resent refund of the same saga is answered again without calling the provider', async () => {
    const sagaId = uuidv7();
    await refund(sagaId, '300');
    await refund(sagaId, '300', { reason: 'again' });
    expect(refundedAmounts()).toEqual(['300', '300']);
    expect(paymentRow(uow, paymentId)).toMatchObject({ refundedMinor: 300 });
    expect(provider.refundCalls).toBe(1);
    expect(uow.tables.refunds.size).toBe(1);
  });

  it('a refund asked for once everything is back is answered PaymentRefunded of 0, without calling the provider', async () => {
    await refund(uuidv7(), '0');
    await refund(uuidv7(), '0');
    expect(refundedAmounts()).toEqual(['1000', '0']);
    expect(provider.refundCalls).toBe(1);
    expect(uow.tables.refunds.size).toBe(1);
  });

  it('a crash after the provider refunded keeps the committed pending refund: the retry reuses its id (one refund at the provider)', async () => {
    const sagaId = uuidv7();
    const refundAtProvider = provider.refund.bind(provider);
    provider.refund = async (request) => {
      await refundAtProvider(request);
      throw new Error('process killed before commit');
    };
    await expect(refund(sagaId, '300')).rejects.toThrow('process killed before commit');
    const [pending] = [...uow.tables.refunds.values()];
    expect(pending).toMatchObject({ status: 'pending', amountMinor: 300, sagaId });
    expect(paymentRow(uow, paymentId)).toMatchObject({ refundedMinor: 0 });
    expect(refundedAmounts()).toEqual([]);

    provider.refund = refundAtProvider;
    await refund(sagaId, '300');
    expect([...uow.tables.refunds.values()]).toEqual([expect.objectContaining({ id: pending!.id, status: 'succeeded' })]);
    expect(paymentRow(uow, paymentId)).toMatchObject({ refundedMinor: 300 });
    expect(refundedAmounts()).toEqual(['300']);
    // Had the retry refunded again under a new key, the sandbox would now refuse the 700 left (exceeds).
    await refund(uuidv7(), '700');
    expect(paymentRow(uow, paymentId)).toMatchObject({ status: 'refunded', refundedMinor: 1000 });
  });

  it('refuses a refund of a failed payment (PAYMENT_NOT_REFUNDABLE) or beyond what is left, and an unknown payment (PAYMENT_NOT_FOUND)', async () => {
    const declined = chargeInput({ paymentMethod: 'tok_chargeDeclined' });
    await new ChargePaymentHandler(uow, provider, clock).execute(new ChargePaymentCommand(declined));
    await expect(refund(uuidv7(), '0', { paymentId: declined.paymentId })).rejects.toMatchObject({ kind: 'business_rule', code: 'PAYMENT_NOT_REFUNDABLE' });
    await expect(refund(uuidv7(), '1001')).rejects.toMatchObject({ code: 'PAYMENT_NOT_REFUNDABLE' });
    await expect(refund(uuidv7(), '0', { paymentId: uuidv7() })).rejects.toMatchObject({ kind: 'not_found', code: 'PAYMENT_NOT_FOUND' });
    expect(uow.tables.refunds.size).toBe(0);
    expect(provider.refundCalls).toBe(0);
    expect(outboxEvents(uow, PaymentRefunded)).toEqual([]);
  });
});
