import { paymentsEvents } from '@storytelling/contracts';
import { FixedClock } from '@storytelling/kernel';
import { Payment, PaymentEventTypes, formatDecimal, money } from '../../../src/domain/index.js';

const clock = new FixedClock(new Date('2026-11-20T10:00:00.000Z'));
const charge = (amountMinor = 1000) =>
  Payment.pending(
    {
      id: '0190a0d0-0000-7000-8000-000000000001',
      userId: '0190a0d0-0000-7000-8000-000000000002',
      subscriptionId: 'sub-1',
      sagaId: '0190a0d0-0000-7000-8000-000000000003',
      amount: money(amountMinor, 'usd'),
      provider: 'sandbox',
      description: 'gold',
    },
    clock,
  );

describe('money', () => {
  it('is integer minor units with an ISO currency; decimals by the currency', () => {
    expect(money('999', 'usd')).toEqual({ amountMinor: 999, currency: 'USD' });
    expect(() => money(9.99, 'USD')).toThrow(expect.objectContaining({ code: 'PAYMENT_AMOUNT_INVALID' }));
    expect(() => money(0, 'USD')).toThrow(expect.objectContaining({ code: 'PAYMENT_AMOUNT_INVALID' }));
    expect(() => money(1, 'US')).toThrow(expect.objectContaining({ code: 'PAYMENT_CURRENCY_INVALID' }));
    expect(formatDecimal(999, 'USD')).toBe('9.99');
    expect(formatDecimal(5, 'EUR')).toBe('0.05');
    expect(formatDecimal(100000, 'USD')).toBe('1000.00');
    expect(formatDecimal(1500, 'JPY')).toBe('1500');
    expect(formatDecimal(1234, 'KWD')).toBe('1.234');
  });
});

describe('Payment', () => {
  it('settles once: succeed records PaymentProcessed (contract-shaped), a second outcome changes nothing', () => {
    const p = charge();
    expect(p.succeed('pi_1')).toBe(true);
    expect(p.fail('card_declined', 'late decline')).toBe(false);
    expect(p.succeed('pi_2')).toBe(false);
    expect(p.pendingEvents.map((e) => e.type)).toEqual([PaymentEventTypes.PaymentProcessed]);
    const data = p.pendingEvents[0]!.data as Record<string, unknown>;
    expect(paymentsEvents.PaymentProcessed.toJSON(paymentsEvents.PaymentProcessed.fromJSON(data))).toEqual(data);
    expect(data).toMatchObject({ amountMinor: '1000', currency: 'USD', providerPaymentId: 'pi_1', processedAt: '2026-11-20T10:00:00.000Z' });
  });

  it('a decline records PaymentFailed with its reason; reannounce repeats the stored outcome', () => {
    const p = charge();
    p.fail('insufficient_funds', 'Your card has insufficient funds.');
    p.reannounce();
    expect(p.pendingEvents.map((e) => e.type)).toEqual([PaymentEventTypes.PaymentFailed, PaymentEventTypes.PaymentFailed]);
    const data = p.pendingEvents[0]!.data as Record<string, unknown>;
    expect(paymentsEvents.PaymentFailed.toJSON(paymentsEvents.PaymentFailed.fromJSON(data))).toEqual(data);
    expect(p.snapshot).toMatchObject({ status: 'failed', failureReason: 'insufficient_funds' });
    expect(() => charge().reannounce()).toThrow('not settled');
  });

  it('refunds only succeeded payments, partially then fully, never beyond the amount', () => {
    expect(() => charge().refundAmount(0)).toThrow(expect.objectContaining({ code: 'PAYMENT_NOT_REFUNDABLE' }));
    const p = charge(1000);
    p.succeed('pi_1');
    expect(p.refundAmount(300)).toBe(300);
    p.refunded(300, 300, 're_1');
    expect(p.snapshot).toMatchObject({ status: 'succeeded', refundedMinor: 300 });
    expect(p.refundAmount(0)).toBe(700);
    expect(() => p.refundAmount(701)).toThrow(expect.objectContaining({ code: 'PAYMENT_NOT_REFUNDABLE' }));
    p.refunded(700, 1000, 're_2');
    expect(p.snapshot).toMatchObject({ status: 'refunded', refundedMinor: 1000 });
    expect(() => p.refundAmount(0)).toThrow(expect.objectContaining({ code: 'PAYMENT_NOT_REFUNDABLE' }));
    const refunded = p.pendingEvents.filter((e) => e.type === PaymentEventTypes.PaymentRefunded).map((e) => (e.data as { amountMinor: string }).amountMinor);
    expect(refunded).toEqual(['300', '700']);
  });

  it('provider events apply only forward: a refund first settles and refunds; a late success or a smaller total is ignored', () => {
    const p = charge(1000);
    expect(p.applyProviderRefundTotal(1000, 'pi_1', 're_1')).toBe(true);
    expect(p.status).toBe('refunded');
    expect(p.applyProviderSuccess('pi_1')).toBe(false);
    expect(p.applyProviderRefundTotal(400, 'pi_1', 're_0')).toBe(false);
    expect(p.applyProviderFailure('card_declined', 'x')).toBe(false);
    expect(p.status).toBe('refunded');
    expect(p.pendingEvents.map((e) => e.type)).toEqual([PaymentEventTypes.PaymentProcessed, PaymentEventTypes.PaymentRefunded]);
    const failed = charge();
    failed.fail('card_declined', 'no');
    expect(failed.applyProviderRefundTotal(1000, 'pi', 're')).toBe(false);
  });
});
