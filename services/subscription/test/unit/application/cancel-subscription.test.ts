import { CancelSubscriptionCommand, CancelSubscriptionHandler } from '../../../src/application/index.js';
import { addMonths } from '../../../src/domain/index.js';
import { callerOf, outcomeOf, seedSubscription, storedSubscription, subscriptionWorld } from '../../support/in-memory.js';

// CancelSubscription (POST /subscription/cancel): the paid tier ends at the period end.

const USER = '0190d4a0-0000-7000-8000-0000000000d1';
const T0 = new Date('2026-03-10T10:00:00Z');
const START = new Date('2026-03-01T10:00:00Z');

function setup() {
  const w = subscriptionWorld(T0);
  const handler = new CancelSubscriptionHandler(w.uow, w.clock);
  return { ...w, cancel: (userId = USER) => handler.execute(new CancelSubscriptionCommand(callerOf(userId))), stored: () => storedSubscription(w.uow, w.clock, USER) };
}

describe('CancelSubscriptionHandler', () => {
  it('marks a paid subscription cancel-at-period-end, drops a scheduled change, keeps the tier until then', async () => {
    const { uow, cancel, stored } = setup();
    seedSubscription(uow, {
      userId: USER,
      tier: 'gold',
      currentPeriodStart: START,
      pendingChange: { tier: 'silver', billingCycle: 'monthly', status: 'scheduled', effectiveAt: addMonths(START, 1), failureReason: null, sagaId: null },
    });
    const view = await cancel();
    expect(view).toMatchObject({ tier: 'gold', status: 'active', cancelAtPeriodEnd: true, pendingChange: null, currentPeriodEnd: addMonths(START, 1) });
    expect(view.usage.map((u) => [u.resource, u.limit])).toEqual([
      ['stories', 30],
      ['narrations', 60],
      ['videos', 10],
    ]);
    expect(stored().state).toMatchObject({ tier: 'gold', cancelAtPeriodEnd: true, pendingChange: null });
    expect(uow.tables.events).toEqual([]); // SubscriptionCancelled comes at the period end
  });

  it('in the grace period: cancel-at-period-end (the retries stop at the next scheduler pass)', async () => {
    const { uow, cancel } = setup();
    seedSubscription(uow, {
      userId: USER,
      tier: 'gold',
      status: 'payment_failed',
      currentPeriodStart: new Date('2026-02-08T10:00:00Z'),
      dunning: { periodStart: new Date('2026-03-08T10:00:00Z'), tier: 'gold', billingCycle: 'monthly', failedAttempts: 1, nextRetryAt: new Date('2026-03-11T10:00:00Z'), graceEndsAt: new Date('2026-03-15T10:00:00Z') },
    });
    expect(await cancel()).toMatchObject({ status: 'payment_failed', cancelAtPeriodEnd: true });
  });

  it.each([
    ['a free subscription', { tier: 'free' }, 'business_rule:SUBSCRIPTION_NOT_CANCELLABLE'],
    ['a cancelled subscription', { tier: 'gold', status: 'cancelled' }, 'business_rule:SUBSCRIPTION_NOT_CANCELLABLE'],
    [
      'while a payment is pending',
      { tier: 'silver', pendingChange: { tier: 'gold', billingCycle: 'monthly', status: 'payment_pending', effectiveAt: null, failureReason: null, sagaId: '0190d4a0-0000-7000-8000-0000000000fe' } },
      'conflict:SUBSCRIPTION_CHANGE_PENDING',
    ],
  ] as const)('refuses %s and changes nothing', async (_what, row, expected) => {
    const { uow, cancel, stored } = setup();
    seedSubscription(uow, { userId: USER, currentPeriodStart: START, ...row });
    const before = stored().state;
    expect(await outcomeOf(cancel())).toBe(expected);
    expect(stored().state).toEqual(before);
  });

  it('a user whose UserRegistered has not arrived yet is on the free plan, which has nothing to cancel (never SUBSCRIPTION_NOT_FOUND)', async () => {
    const { uow, cancel } = setup();
    expect(await outcomeOf(cancel())).toBe('business_rule:SUBSCRIPTION_NOT_CANCELLABLE');
    expect(uow.tables.subscriptions.size).toBe(0); // the refused command's transaction left nothing
  });
});
