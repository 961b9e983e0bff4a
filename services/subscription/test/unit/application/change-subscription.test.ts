import { paymentsCommands, paymentsEvents } from '@storytelling/contracts';
import { ValidationError } from '@storytelling/kernel';
import { runWithContext, type SagaStarter } from '@storytelling/platform';
import { sagaTest } from '@storytelling/testing';
import { ChangeSubscriptionCommand, ChangeSubscriptionHandler, paidSubscriptionSaga } from '../../../src/application/index.js';
import { SubscriptionEventTypes as T, addMonths, type SubscriptionState } from '../../../src/domain/index.js';
import { toProtoSubscription } from '../../../src/interface/subscription.grpc-controller.js';
import { callerOf, eventTypes, eventsOf, outcomeOf, paymentProcessed, sagaDeps, seedSubscription, storedSubscription, subscriptionWorld } from '../../support/in-memory.js';

// ChangeSubscription (POST /subscription) against in-memory repositories; the saga it starts runs
// on the real engine over the in-memory saga port (sagaTest), so the ChargePayment it sends is the
// one payments would receive.

const USER = '0190d4a0-0000-7000-8000-0000000000c1';
const T0 = new Date('2026-03-01T10:00:00Z');
const GOLD = { tierId: 'gold', billingCycle: 'monthly', paymentToken: 'tok_visa' };

/** In the grace period of a refused gold renewal: the unpaid period started at 2026-03-19 (now: 03-22). */
const IN_GRACE = { now: new Date('2026-03-22T10:00:00Z'), unpaidFrom: new Date('2026-03-19T10:00:00Z'), graceEndsAt: new Date('2026-03-26T10:00:00Z') };
const inGrace = (failedAttempts: number): Partial<SubscriptionState> & Pick<SubscriptionState, 'userId' | 'currentPeriodStart'> => ({
  userId: USER,
  tier: 'gold',
  status: 'payment_failed',
  currentPeriodStart: new Date('2026-02-19T10:00:00Z'),
  dunning: { periodStart: IN_GRACE.unpaidFrom, tier: 'gold', billingCycle: 'monthly', failedAttempts, nextRetryAt: new Date('2026-03-24T10:00:00Z'), graceEndsAt: IN_GRACE.graceEndsAt },
});

function setup(now = T0) {
  const w = subscriptionWorld(now);
  const t = sagaTest(paidSubscriptionSaga, sagaDeps(w.uow), w.clock);
  const sagas: SagaStarter = { start: (_definition, input) => t.start(input as never) as never };
  const handler = new ChangeSubscriptionHandler(w.uow, sagas, w.clock);
  const change = (input: Record<string, unknown>, userId = USER) =>
    handler.execute(new ChangeSubscriptionCommand(callerOf(userId), { tierId: input.tierId, billingCycle: input.billingCycle, paymentToken: input.paymentToken }));
  const withKey = <X>(key: string, work: () => Promise<X>) => runWithContext({ correlationId: `c-${key}`, idempotencyKey: key }, work);
  return { ...w, t, change, withKey, stored: () => storedSubscription(w.uow, w.clock, USER) };
}

describe('ChangeSubscriptionHandler', () => {
  it('refuses an invalid request with every field named, before touching anything', async () => {
    const { uow, t, change } = setup();
    seedSubscription(uow, { userId: USER, currentPeriodStart: T0 });
    const err = await change({ tierId: ' ', billingCycle: 'weekly', paymentToken: 'x'.repeat(256) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect(err).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect((err as ValidationError).fieldErrors.map((f) => f.field)).toEqual(['tierId', 'billingCycle', 'paymentMethod.token']);
    expect(await outcomeOf(change({ tierId: 42, billingCycle: 'monthly', paymentToken: 'tok_visa' }))).toBe('validation:VALIDATION_FAILED');
    expect(await outcomeOf(change({ tierId: 'gold', billingCycle: 'monthly', paymentToken: undefined }))).toBe('validation:VALIDATION_FAILED');
    expect(uow.commits).toBe(0);
    expect(t.port.sagas.size).toBe(0);
  });

  it.each([
    ['an unknown tier', { ...GOLD, tierId: 'bronze' }, {}, 'not_found:TIER_NOT_FOUND'],
    ['the free tier (that is a cancellation)', { ...GOLD, tierId: 'free' }, {}, 'business_rule:TIER_NOT_PURCHASABLE'],
    ['the tier and cycle it already has', GOLD, { tier: 'gold' }, 'business_rule:ALREADY_SUBSCRIBED'],
    ['a cancelled subscription', GOLD, { status: 'cancelled' }, 'business_rule:SUBSCRIPTION_INACTIVE'],
    ['a change while a payment is pending', { ...GOLD, tierId: 'platinum' }, { pendingChange: { tier: 'gold', billingCycle: 'monthly', status: 'payment_pending', effectiveAt: null, failureReason: null, sagaId: '0190d4a0-0000-7000-8000-0000000000ff' } }, 'conflict:SUBSCRIPTION_CHANGE_PENDING'],
  ] as const)('refuses %s', async (_what, input, row, expected) => {
    const { uow, t, change } = setup();
    seedSubscription(uow, { userId: USER, currentPeriodStart: T0, ...row });
    const before = structuredClone([...uow.tables.subscriptions.values()]);
    expect(await outcomeOf(change(input))).toBe(expected);
    expect([...uow.tables.subscriptions.values()]).toEqual(before);
    expect(uow.tables.events).toEqual([]);
    expect(t.port.sagas.size).toBe(0);
  });

  it('a user whose UserRegistered has not arrived yet: the free subscription starts now, then the upgrade is charged (never SUBSCRIPTION_NOT_FOUND)', async () => {
    const { t, change, stored } = setup();
    expect((await change(GOLD)).pendingChange).toMatchObject({ tier: 'gold', status: 'payment_pending' });
    expect(stored().state).toMatchObject({ tier: 'free', status: 'active', currentPeriodStart: T0 });
    expect(t.port.sagas.size).toBe(1);
  });

  it('schedules a downgrade for the period end: no charge, no event, the tier stays', async () => {
    const { uow, t, change, stored } = setup();
    const start = new Date('2026-02-19T10:00:00Z');
    seedSubscription(uow, { userId: USER, tier: 'gold', currentPeriodStart: start });
    const view = await change({ ...GOLD, tierId: 'silver' });
    const end = addMonths(start, 1);
    expect(view).toMatchObject({ tier: 'gold', status: 'active', currentPeriodEnd: end, pendingChange: { tier: 'silver', billingCycle: 'monthly', status: 'scheduled', effectiveAt: end, sagaId: null } });
    expect(view.pendingChange?.effectiveAt).toBeInstanceOf(Date);
    expect(stored().state).toMatchObject({ tier: 'gold', pendingChange: { tier: 'silver', status: 'scheduled' } });
    expect(uow.tables.events).toEqual([]);
    expect(t.port.sagas.size).toBe(0);
    // The same tier with the other cycle is scheduled too (replacing the downgrade).
    expect((await change({ ...GOLD, billingCycle: 'yearly' })).pendingChange).toMatchObject({ tier: 'gold', billingCycle: 'yearly', status: 'scheduled' });
  });

  it('a scheduled change undoes a cancellation; asking for the same tier again resumes it', async () => {
    const { uow, change, stored } = setup();
    seedSubscription(uow, { userId: USER, tier: 'gold', currentPeriodStart: T0, cancelAtPeriodEnd: true });
    const view = await change(GOLD);
    expect(view).toMatchObject({ tier: 'gold', cancelAtPeriodEnd: false, pendingChange: null });
    expect(stored().state.cancelAtPeriodEnd).toBe(false);
  });

  it('an upgrade in the last moment of the period costs nothing and applies at once, period kept', async () => {
    const start = new Date('2026-02-01T10:00:00Z');
    const { uow, t, change, stored } = setup(new Date('2026-03-01T09:59:59.999Z'));
    const sub = seedSubscription(uow, { userId: USER, tier: 'silver', currentPeriodStart: start });
    const view = await change(GOLD);
    expect(view).toMatchObject({ tier: 'gold', status: 'active', pendingChange: null, currentPeriodStart: start, currentPeriodEnd: addMonths(start, 1) });
    expect(stored().state.tier).toBe('gold');
    expect(t.port.sagas.size).toBe(0);
    const [activated, upgraded] = eventsOf(uow, sub.id);
    expect(activated).toMatchObject({ type: T.SubscriptionActivated, data: { tier: 'gold', amountMinor: '0', paymentId: '' } });
    expect(upgraded).toMatchObject({ type: T.TierUpgraded, data: { fromTier: 'silver', toTier: 'gold' } });
  });

  it('an upgrade the unused part of the current cycle pays for applies at once with a new period', async () => {
    const { uow, t, change } = setup();
    seedSubscription(uow, { userId: USER, tier: 'silver', billingCycle: 'yearly', currentPeriodStart: T0 });
    const view = await change(GOLD); // 19.99 a month against 99.90 of a year just begun
    expect(view).toMatchObject({ tier: 'gold', billingCycle: 'monthly', currentPeriodStart: T0, currentPeriodEnd: addMonths(T0, 1), pendingChange: null });
    expect(eventTypes(uow)).toEqual([T.SubscriptionActivated, T.TierUpgraded]);
    expect(t.port.sagas.size).toBe(0);
  });

  it('a charge starts the paid-subscription saga: ChargePayment sent, answer payment_pending; PaymentProcessed activates', async () => {
    const { uow, t, change, stored, clock } = setup();
    const sub = seedSubscription(uow, { userId: USER, currentPeriodStart: new Date('2026-02-20T08:00:00Z') });
    const view = await change({ tierId: ' GOLD ', billingCycle: 'monthly', paymentToken: ' tok_visa ' });
    const charge = t.expectCommand(paymentsCommands.ChargePayment);
    expect(charge).toEqual({
      sagaId: t.saga.id,
      paymentId: expect.any(String),
      userId: USER,
      subscriptionId: sub.id,
      amountMinor: '1999',
      currency: 'USD',
      paymentMethod: 'tok_visa',
      description: 'Gold (monthly)',
    });
    t.expectNoCommand();
    t.expectStatus('running', 'charge');
    expect(t.saga.deadlineAt).toEqual(new Date(T0.getTime() + 900_000));
    expect(t.saga.state).toMatchObject({ kind: 'change', fromTier: 'free', tier: 'gold', periodStart: T0.toISOString(), periodEnd: addMonths(T0, 1).toISOString() });
    expect(view).toMatchObject({ tier: 'free', pendingChange: { tier: 'gold', billingCycle: 'monthly', status: 'payment_pending', sagaId: t.saga.id } });
    expect(stored().state).toMatchObject({ tier: 'free', paymentMethod: 'tok_visa', pendingChange: { status: 'payment_pending', sagaId: t.saga.id } });
    expect(uow.tables.events).toEqual([]); // nothing is announced before the money is there

    clock.advance(60_000);
    await t.reply(paymentsEvents.PaymentProcessed, paymentProcessed(charge));
    t.expectStatus('completed');
    expect(stored().state).toMatchObject({ tier: 'gold', status: 'active', pendingChange: null, currentPeriodStart: T0, currentPeriodEnd: addMonths(T0, 1) });
    expect(eventTypes(uow)).toEqual([T.SubscriptionActivated, T.TierUpgraded]);
  });

  it('an upgrade within the cycle charges the price difference for the unused part of the period, period kept', async () => {
    const start = new Date('2026-04-01T00:00:00Z');
    const { uow, t, change } = setup(new Date('2026-04-16T00:00:00Z')); // half of a 30-day period left
    seedSubscription(uow, { userId: USER, tier: 'silver', currentPeriodStart: start });
    await change(GOLD);
    expect(t.expectCommand(paymentsCommands.ChargePayment)).toMatchObject({ amountMinor: '500' });
    expect(t.saga.state).toMatchObject({ fromTier: 'silver', periodStart: start.toISOString(), periodEnd: addMonths(start, 1).toISOString() });
  });

  it('in the grace period a paid tier costs its full price for the unpaid period, from where it started', async () => {
    const { uow, t, change } = setup(IN_GRACE.now);
    const { unpaidFrom, graceEndsAt } = IN_GRACE;
    seedSubscription(uow, {
      ...inGrace(2),
      pendingChange: { tier: 'gold', billingCycle: 'monthly', status: 'payment_failed', effectiveAt: unpaidFrom, failureReason: 'card_declined', sagaId: null },
    });
    const view = await change({ ...GOLD, tierId: 'platinum' });
    expect(t.expectCommand(paymentsCommands.ChargePayment)).toMatchObject({ amountMinor: '3999' });
    expect(t.saga.state).toMatchObject({ periodStart: unpaidFrom.toISOString(), periodEnd: addMonths(unpaidFrom, 1).toISOString() });
    expect(view).toMatchObject({ status: 'payment_failed', graceEndsAt, pendingChange: { tier: 'platinum', status: 'payment_pending' } });
  });

  describe('Idempotency-Key', () => {
    it('a replay (same key, same request) returns the first answer and sends no second charge', async () => {
      const { uow, t, change, withKey } = setup();
      seedSubscription(uow, { userId: USER, currentPeriodStart: T0 });
      const first = await withKey('k-1', () => change(GOLD));
      const again = await withKey('k-1', () => change({ ...GOLD, tierId: 'Gold ' }));
      expect(again).toEqual(first);
      expect(again.currentPeriodStart).toBeInstanceOf(Date);
      expect(t.port.sent).toHaveLength(1);
      expect(t.port.sagas.size).toBe(1);
    });

    it('the same key for another request is IDEMPOTENCY_KEY_REUSED; no key means no replay', async () => {
      const { uow, t, change, withKey } = setup();
      seedSubscription(uow, { userId: USER, currentPeriodStart: T0 });
      await withKey('k-1', () => change(GOLD));
      expect(await outcomeOf(withKey('k-1', () => change({ ...GOLD, tierId: 'platinum' })))).toBe('conflict:IDEMPOTENCY_KEY_REUSED');
      expect(await outcomeOf(change(GOLD))).toBe('conflict:SUBSCRIPTION_CHANGE_PENDING');
      expect(t.port.sent).toHaveLength(1);
    });

    it('a refused request does not keep its key: a retry with it runs again', async () => {
      const { uow, t, change, withKey } = setup();
      seedSubscription(uow, { userId: USER, currentPeriodStart: T0, status: 'cancelled' });
      expect(await outcomeOf(withKey('k-2', () => change(GOLD)))).toBe('business_rule:SUBSCRIPTION_INACTIVE');
      uow.tables.subscriptions.clear();
      seedSubscription(uow, { userId: USER, currentPeriodStart: T0 });
      expect((await withKey('k-2', () => change(GOLD))).pendingChange).toMatchObject({ status: 'payment_pending' });
      expect(t.port.sent).toHaveLength(1);
    });

    // BUG (src/application/views.ts reviveDates): a replayed answer revives the period and
    // pendingChange dates but not graceEndsAt, which comes back from JSON as a string; the gRPC
    // controller's toProtoSubscription then calls graceEndsAt.toISOString() on it (a TypeError:
    // the replay fails with INTERNAL). Remove `.failing` once fixed.
    it('a replay in the grace period answers graceEndsAt as a Date, like the first answer', async () => {
      const { uow, change, withKey } = setup(IN_GRACE.now);
      seedSubscription(uow, inGrace(1));
      const first = await withKey('k-3', () => change(GOLD));
      const again = await withKey('k-3', () => change(GOLD));
      expect(toProtoSubscription(first).graceEndsAt).toBe('2026-03-26T10:00:00.000Z');
      expect(toProtoSubscription(again).graceEndsAt).toBe('2026-03-26T10:00:00.000Z'); // TypeError today
      expect(again).toEqual(first);
    });
  });
});
