import { paymentsCommands, paymentsEvents } from '@storytelling/contracts';
import { CloseDuePeriodsHandler, paidSubscriptionSaga, renewalKey } from '../../../src/application/index.js';
import { SubscriptionEventTypes as T, addMonths, type SubscriptionState } from '../../../src/domain/index.js';
import { eventsOf, paymentFailed, paymentProcessed, seedSubscription, storedSubscription, subscriptionWorld } from '../../support/in-memory.js';

// CloseDuePeriods (the scheduler worker's period-end pass) against in-memory repositories and the
// in-memory Sagas (real engine; a taken business key is SagaKeyTakenError, as in SagaStore).

const USER = '0190d4a0-0000-7000-8000-0000000000a1';
const START = new Date('2026-02-10T10:00:00Z');
const END = addMonths(START, 1); // 2026-03-10T10:00Z
const DAY = 86_400_000;

function setup(row: Partial<SubscriptionState> = {}, now = END) {
  const w = subscriptionWorld(now);
  const sub = seedSubscription(w.uow, { userId: USER, currentPeriodStart: START, ...row });
  const handler = new CloseDuePeriodsHandler(w.uow, w.sagas, w.clock);
  return {
    ...w,
    sub,
    close: () => handler.execute(),
    stored: () => storedSubscription(w.uow, w.clock, USER).state,
    charges: () => w.sagas.sent(paymentsCommands.ChargePayment),
    events: () => eventsOf(w.uow).map((e) => ({ type: e.type, data: e.data as Record<string, unknown> })),
  };
}

describe('CloseDuePeriodsHandler', () => {
  it('leaves a subscription alone before its period end', async () => {
    const { clock, close, events } = setup({}, new Date(END.getTime() - 1));
    expect(await close()).toBe(0);
    clock.set(END);
    expect(await close()).toBe(1);
    expect(events().map((e) => e.type)).toEqual([T.SubscriptionRenewed]);
  });

  it('free: the next period starts where the last ended (SubscriptionRenewed without a payment), once', async () => {
    const { sub, close, stored, events, sagas } = setup();
    expect(await close()).toBe(1);
    expect(await close()).toBe(0);
    expect(stored()).toMatchObject({ tier: 'free', status: 'active', currentPeriodStart: END, currentPeriodEnd: addMonths(END, 1) });
    expect(events()).toEqual([
      { type: T.SubscriptionRenewed, data: { subscriptionId: sub.id, userId: USER, tier: 'free', billingCycle: 'monthly', currentPeriodStart: END.toISOString(), currentPeriodEnd: addMonths(END, 1).toISOString() } },
    ]);
    expect(sagas.all).toEqual([]);
  });

  it('cancel-at-period-end: back to free from the period end (SubscriptionCancelled user_request), nothing charged', async () => {
    const { sub, close, stored, events, charges } = setup({ tier: 'gold', cancelAtPeriodEnd: true });
    expect(await close()).toBe(1);
    expect(stored()).toMatchObject({ tier: 'free', billingCycle: 'monthly', cancelAtPeriodEnd: false, currentPeriodStart: END, currentPeriodEnd: addMonths(END, 1), paymentMethod: 'tok_visa' });
    expect(events()).toEqual([{ type: T.SubscriptionCancelled, data: { subscriptionId: sub.id, userId: USER, tier: 'gold', reason: 'user_request', effectiveAt: END.toISOString() } }]);
    expect(charges()).toEqual([]);
  });

  it('paid: the renewal saga charges the next period under renewal:<id>:<period end>; the tier stays meanwhile; nothing is charged twice', async () => {
    const { sub, clock, sagas, close, stored, events, charges } = setup({ tier: 'gold', paymentMethod: 'tok_saved' });
    expect(await close()).toBe(1);
    const [saga] = sagas.all;
    expect(saga).toMatchObject({ key: `renewal:${sub.id}:${END.toISOString()}`, status: 'running', step: 'charge' });
    expect(saga!.state).toMatchObject({ kind: 'renewal', fromTier: 'gold', tier: 'gold', periodStart: END.toISOString(), periodEnd: addMonths(END, 1).toISOString() });
    expect(charges()).toEqual([
      { sagaId: saga!.id, subject: saga!.id, paymentId: expect.any(String), userId: USER, subscriptionId: sub.id, amountMinor: '1999', currency: 'USD', paymentMethod: 'tok_saved', description: 'Gold (monthly) renewal' },
    ]);
    expect(stored()).toMatchObject({ tier: 'gold', status: 'active', currentPeriodEnd: END, pendingChange: { tier: 'gold', status: 'payment_pending', effectiveAt: END, sagaId: saga!.id } });
    expect(events()).toEqual([]);

    clock.advance(60_000);
    expect(await close()).toBe(0); // waiting for its payment: not claimed again
    expect(charges()).toHaveLength(1);

    await sagas.reply(saga!.id, paymentsEvents.PaymentProcessed, paymentProcessed(charges()[0]!));
    expect(stored()).toMatchObject({ tier: 'gold', status: 'active', pendingChange: null, currentPeriodStart: END, currentPeriodEnd: addMonths(END, 1) });
    expect(events()).toEqual([{ type: T.SubscriptionRenewed, data: expect.objectContaining({ tier: 'gold', currentPeriodStart: END.toISOString(), paymentId: charges()[0]!.paymentId }) }]);
    expect(await close()).toBe(0);
    expect(charges()).toHaveLength(1);
  });

  it('a renewal another pass already started for this period is not started again (SagaKeyTakenError), the subscription untouched', async () => {
    const { sub, sagas, close, stored, events, charges } = setup({
      tier: 'gold',
      pendingChange: { tier: 'silver', billingCycle: 'monthly', status: 'scheduled', effectiveAt: END, failureReason: null, sagaId: null },
    });
    const before = stored();
    const state = { subscriptionId: sub.id, userId: USER, kind: 'renewal' as const, fromTier: 'gold', tier: 'gold', billingCycle: 'monthly' as const, periodStart: END.toISOString(), periodEnd: addMonths(END, 1).toISOString(), paymentId: '0190d4a0-0000-7000-8000-0000000000a9', amountMinor: 1999, currency: 'USD', paymentMethod: 'tok_visa', description: 'Gold (monthly) renewal' };
    await sagas.start(paidSubscriptionSaga, { state, key: renewalKey(sub.id, END, 1) });
    expect(await close()).toBe(1);
    expect(charges()).toHaveLength(1);
    expect(stored()).toEqual(before); // the scheduled downgrade was not applied either
    expect(events()).toEqual([]);
  });

  it('a scheduled downgrade applies at the period end (TierDowngraded), then the renewal charges the new price', async () => {
    const { sub, sagas, close, stored, events, charges } = setup({
      tier: 'gold',
      pendingChange: { tier: 'silver', billingCycle: 'monthly', status: 'scheduled', effectiveAt: END, failureReason: null, sagaId: null },
    });
    expect(await close()).toBe(1);
    expect(events()).toEqual([{ type: T.TierDowngraded, data: { subscriptionId: sub.id, userId: USER, fromTier: 'gold', toTier: 'silver', effectiveAt: END.toISOString() } }]);
    expect(charges()).toEqual([expect.objectContaining({ amountMinor: '999', description: 'Silver (monthly) renewal' })]);
    expect(sagas.all[0]).toMatchObject({ key: renewalKey(sub.id, END, 1), state: { kind: 'renewal', fromTier: 'silver', tier: 'silver' } });
    expect(stored()).toMatchObject({ tier: 'silver', pendingChange: { tier: 'silver', status: 'payment_pending' } });
  });

  it('a scheduled cycle change renews with the new cycle (price and period), without a tier event', async () => {
    const { sagas, close, stored, events, charges } = setup({
      tier: 'gold',
      pendingChange: { tier: 'gold', billingCycle: 'yearly', status: 'scheduled', effectiveAt: END, failureReason: null, sagaId: null },
    });
    expect(await close()).toBe(1);
    expect(charges()).toEqual([expect.objectContaining({ amountMinor: '19990', description: 'Gold (yearly) renewal' })]);
    expect(sagas.all[0]!.state).toMatchObject({ billingCycle: 'yearly', periodStart: END.toISOString(), periodEnd: addMonths(END, 12).toISOString() });
    expect(stored()).toMatchObject({ tier: 'gold', billingCycle: 'yearly' });
    expect(events()).toEqual([]);
  });

  it('a paid period without a payment method on file lapses to free (SubscriptionCancelled renewal_failed)', async () => {
    const { close, stored, events, charges } = setup({ tier: 'silver', paymentMethod: null });
    expect(await close()).toBe(1);
    expect(stored()).toMatchObject({ tier: 'free', currentPeriodStart: END });
    expect(events()).toEqual([{ type: T.SubscriptionCancelled, data: expect.objectContaining({ tier: 'silver', reason: 'renewal_failed', effectiveAt: END.toISOString() }) }]);
    expect(charges()).toEqual([]);
  });

  it('a refused renewal is retried on its retry day under its own key, and ends in free at the grace end', async () => {
    const { sub, clock, sagas, close, stored, events, charges } = setup({ tier: 'gold' });
    await close();
    await sagas.reply(sagas.all[0]!.id, paymentsEvents.PaymentFailed, paymentFailed(charges()[0]!, 'insufficient_funds'));
    expect(stored()).toMatchObject({ tier: 'gold', status: 'payment_failed', dunning: { failedAttempts: 1, nextRetryAt: new Date(END.getTime() + DAY), graceEndsAt: new Date(END.getTime() + 7 * DAY) } });

    clock.set(new Date(END.getTime() + DAY - 1));
    expect(await close()).toBe(0);
    clock.set(new Date(END.getTime() + DAY));
    expect(await close()).toBe(1);
    expect(sagas.all[1]).toMatchObject({ key: `renewal:${sub.id}:${END.toISOString()}:attempt:2`, state: { periodStart: END.toISOString(), periodEnd: addMonths(END, 1).toISOString() } });
    expect(charges()).toHaveLength(2);
    await sagas.reply(sagas.all[1]!.id, paymentsEvents.PaymentFailed, paymentFailed(charges()[1]!, 'card_declined'));

    clock.set(new Date(END.getTime() + 7 * DAY)); // the day-3 and day-5 retries were missed: the grace end decides
    expect(await close()).toBe(1);
    expect(stored()).toMatchObject({ tier: 'free', status: 'active', dunning: null, currentPeriodStart: END, currentPeriodEnd: addMonths(END, 1) });
    expect(events().map((e) => [e.type, e.data.reason])).toEqual([
      [T.SubscriptionPaymentFailed, 'insufficient_funds'],
      [T.SubscriptionPaymentFailed, 'card_declined'],
      [T.SubscriptionCancelled, 'renewal_failed'],
    ]);
    expect(charges()).toHaveLength(2);
  });

  it('a retry that succeeds renews from the old period end', async () => {
    const { clock, sagas, close, stored } = setup({ tier: 'gold' });
    await close();
    await sagas.reply(sagas.all[0]!.id, paymentsEvents.PaymentFailed, paymentFailed(sagas.sent(paymentsCommands.ChargePayment)[0]!, 'card_declined'));
    clock.set(new Date(END.getTime() + DAY));
    await close();
    await sagas.reply(sagas.all[1]!.id, paymentsEvents.PaymentProcessed, paymentProcessed(sagas.sent(paymentsCommands.ChargePayment)[1]!));
    expect(stored()).toMatchObject({ tier: 'gold', status: 'active', dunning: null, pendingChange: null, currentPeriodStart: END, currentPeriodEnd: addMonths(END, 1) });
  });

  it.each([
    ['a cancelled subscription', { status: 'cancelled' as const }],
    ['one waiting for a payment', { tier: 'silver', pendingChange: { tier: 'gold', billingCycle: 'monthly' as const, status: 'payment_pending' as const, effectiveAt: null, failureReason: null, sagaId: '0190d4a0-0000-7000-8000-0000000000aa' } }],
  ])('does not claim %s', async (_what, row) => {
    const { close, events } = setup(row, new Date(END.getTime() + DAY));
    expect(await close()).toBe(0);
    expect(events()).toEqual([]);
  });

  it('handles every due subscription in one call, batch after batch, oldest period end first', async () => {
    const { uow, close } = setup();
    for (let i = 1; i < 60; i++) seedSubscription(uow, { userId: `0190d4a0-0000-7000-8000-${String(i).padStart(12, '0')}`, currentPeriodStart: new Date(START.getTime() - i * 60_000) });
    expect(await close()).toBe(60);
    const renewed = eventsOf(uow).filter((e) => e.type === T.SubscriptionRenewed);
    expect(renewed).toHaveLength(60);
    expect(renewed.findIndex((e) => (e.data as { userId: string }).userId === USER)).toBe(59); // the latest period end, in the second batch
    expect(await close()).toBe(0);
  });

  it('a period end that fails rolls back alone and holds up no other: the rest are handled, it is tried again on the next pass', async () => {
    const { uow, clock, close, stored } = setup({ currentPeriodStart: new Date(START.getTime() + 60_000) }, new Date(END.getTime() + 60_000));
    // Due first (older period end), and it cannot close: its tier is not in the catalogue.
    const broken = seedSubscription(uow, { userId: '0190d4a0-0000-7000-8000-0000000000b2', tier: 'retired', currentPeriodStart: START });
    const before = storedSubscription(uow, clock, '0190d4a0-0000-7000-8000-0000000000b2').state;
    expect(await close()).toBe(1);
    expect(stored()).toMatchObject({ tier: 'free', currentPeriodStart: new Date(END.getTime() + 60_000) });
    expect(storedSubscription(uow, clock, '0190d4a0-0000-7000-8000-0000000000b2').state).toEqual(before);
    expect(eventsOf(uow).filter((e) => (e.data as { subscriptionId?: string }).subscriptionId === broken.id)).toEqual([]);
    expect(await close()).toBe(0); // tried again, still failing, still alone
  });
});
