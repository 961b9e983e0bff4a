import { DomainError } from '@storytelling/kernel';
import { ChargePaymentCommand, ChargePaymentHandler, ProviderUnavailableError, type PaymentProvider } from '../../../src/application/index.js';
import { PaymentEventTypes } from '../../../src/domain/index.js';
import { ControllableProvider } from '../../support/controllable-provider.js';
import { chargeInput, fixedClock, inMemoryPayments, outboxEvents, paymentRow, type PaymentsUnitOfWorkInMemory } from '../../support/in-memory.js';

const { PaymentProcessed, PaymentFailed } = PaymentEventTypes;

describe('ChargePaymentCommand (its own validation)', () => {
  it('normalises ids, currency and amount', () => {
    const input = chargeInput({ currency: 'eur', amountMinor: '1999' });
    const { charge } = new ChargePaymentCommand({ ...input, paymentId: input.paymentId.toUpperCase(), userId: input.userId.toUpperCase() });
    expect(charge).toMatchObject({ paymentId: input.paymentId, userId: input.userId, sagaId: input.sagaId, currency: 'EUR', amountMinor: 1999 });
  });

  it('names every invalid field at once: PAYMENT_COMMAND_INVALID', () => {
    const err = catchError(() => new ChargePaymentCommand(chargeInput({ paymentId: 'p-1', amountMinor: '12.5', currency: 'US', paymentMethod: ' ', sagaId: '' })));
    expect(err).toMatchObject({ kind: 'validation', code: 'PAYMENT_COMMAND_INVALID' });
    expect((err as DomainError).fieldErrors.map((f) => f.field)).toEqual(['sagaId', 'paymentId', 'amountMinor', 'currency', 'paymentMethod']);
    expect((err as Error).message).toContain('amountMinor must be a positive integer');
    for (const amountMinor of ['0', '-5', '1e3', '99999999999999999']) expect(catchError(() => new ChargePaymentCommand(chargeInput({ amountMinor })))).toBeInstanceOf(DomainError);
  });
});

describe('ChargePaymentHandler (in memory)', () => {
  let uow: PaymentsUnitOfWorkInMemory;
  let provider: ControllableProvider;
  let handler: ChargePaymentHandler;
  const clock = fixedClock();

  beforeEach(() => {
    uow = inMemoryPayments(clock);
    provider = new ControllableProvider();
    handler = new ChargePaymentHandler(uow, provider, clock);
  });

  it('charges tok_visa: the payment succeeds and PaymentProcessed is appended with the contract fields', async () => {
    const input = chargeInput({ amountMinor: '1999', currency: 'eur' });
    const payment = await handler.execute(new ChargePaymentCommand(input));
    expect(payment.status).toBe('succeeded');
    expect(paymentRow(uow, input.paymentId)).toMatchObject({ status: 'succeeded', amount: { amountMinor: 1999, currency: 'EUR' }, provider: 'sandbox', version: 1 });
    const [event, ...more] = outboxEvents(uow);
    expect(more).toEqual([]);
    expect(event).toMatchObject({ type: PaymentProcessed, aggregateId: input.paymentId, aggregateVersion: 1 });
    expect(event!.data).toMatchObject({ paymentId: input.paymentId, userId: input.userId, sagaId: input.sagaId, amountMinor: '1999', currency: 'EUR', provider: 'sandbox', providerPaymentId: expect.stringMatching(/^sbx_pi_/) });
    expect(provider.sandbox.chargeCount).toBe(1);
    // The pending row committed on its own (requires_new), then the outcome.
    expect(uow.commits).toBe(2);
  });

  it.each([
    ['tok_chargeDeclined', 'card_declined'],
    ['tok_insufficientFunds', 'insufficient_funds'],
    ['tok_unknown', 'invalid_token'],
  ])('%s is declined as %s: PaymentFailed, an outcome', async (paymentMethod, reason) => {
    const input = chargeInput({ paymentMethod });
    await handler.execute(new ChargePaymentCommand(input));
    expect(paymentRow(uow, input.paymentId)).toMatchObject({ status: 'failed', failureReason: reason });
    expect(outboxEvents(uow).map((e) => [e.type, (e.data as { reason: string }).reason])).toEqual([[PaymentFailed, reason]]);
  });

  it('a resent charge (same payment id) does not call the provider again and answers with the stored outcome', async () => {
    const input = chargeInput();
    await handler.execute(new ChargePaymentCommand(input));
    await handler.execute(new ChargePaymentCommand(input));
    const answers = outboxEvents(uow, PaymentProcessed);
    expect(answers).toHaveLength(2);
    expect(answers[1]!.data).toEqual(answers[0]!.data);
    expect(provider.sandbox.chargeCalls).toBe(1);
    expect(uow.tables.payments.size).toBe(1);
  });

  it('a crash after the provider charged leaves the committed pending row; the retry charges once (provider dedupes) and answers once', async () => {
    const input = chargeInput();
    provider.afterCharge = async () => {
      throw new Error('process killed before commit');
    };
    await expect(handler.execute(new ChargePaymentCommand(input))).rejects.toThrow('process killed before commit');
    expect(paymentRow(uow, input.paymentId)).toMatchObject({ status: 'pending', version: 0 });
    expect(outboxEvents(uow)).toEqual([]);
    await handler.execute(new ChargePaymentCommand(input));
    expect(paymentRow(uow, input.paymentId)).toMatchObject({ status: 'succeeded', version: 1 });
    expect(outboxEvents(uow, PaymentProcessed)).toHaveLength(1);
    expect(provider.sandbox.chargeCount).toBe(1);
    expect(provider.sandbox.chargeCalls).toBe(2);
  });

  it('a provider outage throws (retried by the consumer); the payment stays pending without events', async () => {
    const input = chargeInput();
    provider.outages = 1;
    await expect(handler.execute(new ChargePaymentCommand(input))).rejects.toBeInstanceOf(ProviderUnavailableError);
    expect(paymentRow(uow, input.paymentId)).toMatchObject({ status: 'pending' });
    expect(outboxEvents(uow)).toEqual([]);
  });

  it('a payment id reused with another amount is PAYMENT_CHARGE_MISMATCH, without a provider call', async () => {
    const input = chargeInput();
    await handler.execute(new ChargePaymentCommand(input));
    const err = await handler.execute(new ChargePaymentCommand({ ...input, amountMinor: '5' })).catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'conflict', code: 'PAYMENT_CHARGE_MISMATCH' });
    expect((err as Error).message).toContain('exists with another user, amount or subscription');
    expect(provider.sandbox.chargeCalls).toBe(1);
    expect(outboxEvents(uow)).toHaveLength(1);
  });

  it('a charge the provider has not settled stays pending with its provider id, and records no event', async () => {
    const processing: PaymentProvider = { name: 'sandbox', charge: async () => ({ outcome: 'pending', providerPaymentId: 'pi_processing' }), refund: async () => ({ providerRefundId: 're' }) };
    const input = chargeInput();
    await new ChargePaymentHandler(uow, processing, clock).execute(new ChargePaymentCommand(input));
    expect(paymentRow(uow, input.paymentId)).toMatchObject({ status: 'pending', providerPaymentId: 'pi_processing', version: 0 });
    expect(outboxEvents(uow)).toEqual([]);
  });
});

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected an error');
}
