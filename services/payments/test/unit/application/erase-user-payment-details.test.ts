import { uuidv7 } from '@storytelling/kernel';
import { ChargePaymentCommand, ChargePaymentHandler, EraseUserPaymentDetailsCommand, EraseUserPaymentDetailsHandler } from '../../../src/application/index.js';
import { ControllableProvider } from '../../support/controllable-provider.js';
import { chargeInput, fixedClock, inMemoryPayments, paymentRow } from '../../support/in-memory.js';

describe('EraseUserPaymentDetailsHandler (in memory)', () => {
  it("blanks the description and failure message of the user's payments, their refund reasons and webhook payloads; amounts, dates and provider ids stay; others are untouched", async () => {
    const clock = fixedClock();
    const uow = inMemoryPayments(clock);
    const charge = new ChargePaymentHandler(uow, new ControllableProvider(), clock);
    const userId = uuidv7();
    const mine = chargeInput({ userId, amountMinor: '999', description: 'Gift for Ann Private' });
    const theirs = chargeInput({ amountMinor: '500', description: 'Gift for Bob' });
    await charge.execute(new ChargePaymentCommand(mine));
    await charge.execute(new ChargePaymentCommand(theirs));
    uow.tables.refunds.set('r1', { id: 'r1', paymentId: mine.paymentId, sagaId: null, amountMinor: 100, status: 'succeeded', providerRefundId: 're_1', reason: 'Ann asked' });
    for (const [eventId, paymentId] of [['evt_1', mine.paymentId], ['evt_2', theirs.paymentId]] as const) {
      uow.tables.providerEvents.set(`sandbox|${eventId}`, { provider: 'sandbox', eventId, type: 'charge.succeeded', paymentId, payload: { email: 'ann@example.com' }, receivedAt: clock.now(), outcome: 'applied' });
    }
    const before = paymentRow(uow, mine.paymentId);

    const erase = new EraseUserPaymentDetailsHandler(uow);
    expect(await erase.execute(new EraseUserPaymentDetailsCommand(userId))).toBe(1);
    expect(await erase.execute(new EraseUserPaymentDetailsCommand(userId))).toBe(1); // idempotent

    expect(paymentRow(uow, mine.paymentId)).toEqual({ ...before, description: '', failureMessage: null });
    expect(paymentRow(uow, mine.paymentId)).toMatchObject({ amount: before.amount, providerPaymentId: expect.stringMatching(/^sbx_pi_/), createdAt: before.createdAt });
    expect(uow.tables.refunds.get('r1')).toMatchObject({ reason: '', amountMinor: 100, providerRefundId: 're_1' });
    expect(uow.tables.providerEvents.get('sandbox|evt_1')).toMatchObject({ payload: {}, type: 'charge.succeeded', paymentId: mine.paymentId });
    expect(uow.tables.providerEvents.get('sandbox|evt_2')!.payload).toEqual({ email: 'ann@example.com' });
    expect(paymentRow(uow, theirs.paymentId).description).toBe('Gift for Bob');
  });

  it('a user id that is not a UUID is a validation error (dead letter)', async () => {
    const uow = inMemoryPayments(fixedClock());
    await expect(new EraseUserPaymentDetailsHandler(uow).execute(new EraseUserPaymentDetailsCommand('nope'))).rejects.toMatchObject({ code: 'PAYMENT_COMMAND_INVALID' });
  });
});
