import { FixedClock } from '@storytelling/kernel';
import {
  AlreadySubscribedError,
  Subscription,
  SubscriptionChangePendingError,
  SubscriptionNotCancellableError,
  TierNotPurchasableError,
  addMonths,
  decimalPrice,
  fits,
  periodEnd,
  proRataMinor,
  usageWindow,
  type Tier,
} from '../../../src/domain/index.js';

const tier = (id: string, rank: number, monthly: number, stories: number | null = 3): Tier => ({
  id,
  name: id,
  rank,
  currency: 'USD',
  priceMonthlyMinor: monthly,
  priceYearlyMinor: monthly * 10,
  limits: { storiesPerMonth: stories, narrationsPerMonth: 3, videosPerMonth: 0, videoMaxSeconds: 0, collaboratorsPerStory: 2 },
  voiceCloning: rank > 0,
});
const FREE = tier('free', 0, 0);
const SILVER = tier('silver', 1, 999, 10);
const GOLD = tier('gold', 2, 1999, 30);
const TIERS = [FREE, SILVER, GOLD];
const byId = (id: string) => TIERS.find((t) => t.id === id)!;

describe('periods', () => {
  it('adds calendar months in UTC, clamping to the month end and returning to the anchor day', () => {
    const jan31 = new Date('2031-01-31T10:00:00Z');
    expect(addMonths(jan31, 1)).toEqual(new Date('2031-02-28T10:00:00Z'));
    expect(addMonths(jan31, 2)).toEqual(new Date('2031-03-31T10:00:00Z'));
    expect(addMonths(new Date('2032-01-31T00:00:00Z'), 1)).toEqual(new Date('2032-02-29T00:00:00Z'));
    expect(addMonths(jan31, -2)).toEqual(new Date('2030-11-30T10:00:00Z'));
    expect(periodEnd(jan31, 'yearly')).toEqual(new Date('2032-01-31T10:00:00Z'));
  });

  it('the usage window is the month (from the anchor) that contains the instant, before the anchor too', () => {
    const anchor = new Date('2031-01-15T00:00:00Z');
    expect(usageWindow(anchor, new Date('2031-01-15T00:00:00Z'))).toEqual({ start: anchor, end: new Date('2031-02-15T00:00:00Z') });
    expect(usageWindow(anchor, new Date('2031-04-20T00:00:00Z'))).toEqual({ start: new Date('2031-04-15T00:00:00Z'), end: new Date('2031-05-15T00:00:00Z') });
    expect(usageWindow(anchor, new Date('2031-01-14T23:59:59Z'))).toEqual({ start: new Date('2030-12-15T00:00:00Z'), end: anchor });
  });

  it('pro rata is the price difference times the unused fraction, rounded, never negative', () => {
    const period = { start: new Date('2031-01-01T00:00:00Z'), end: new Date('2031-01-31T00:00:00Z') };
    expect(proRataMinor(999, 1999, period, new Date('2031-01-16T00:00:00Z'))).toBe(500);
    expect(proRataMinor(999, 1999, period, period.start)).toBe(1000);
    expect(proRataMinor(999, 1999, period, new Date('2031-02-05T00:00:00Z'))).toBe(0);
    expect(proRataMinor(1999, 999, period, period.start)).toBe(0);
  });

  it('formats minor units as decimal strings and checks limits (null = unlimited)', () => {
    expect([decimalPrice(999), decimalPrice(39990), decimalPrice(0), decimalPrice(5)]).toEqual(['9.99', '399.90', '0.00', '0.05']);
    expect([fits(2, 0, 1, 3), fits(2, 1, 1, 3), fits(1000, 0, 1, null)]).toEqual([true, false, true]);
  });
});

describe('Subscription', () => {
  const clock = new FixedClock(new Date('2031-01-10T00:00:00Z'));
  const fresh = () => Subscription.createFree('01a00000-0000-7000-8000-000000000001', '01a00000-0000-7000-8000-0000000000aa', new Date('2031-01-01T00:00:00Z'), clock);

  it('starts free with a monthly period and one SubscriptionCreated event', () => {
    const s = fresh();
    expect(s.state).toMatchObject({ tier: 'free', status: 'active', billingCycle: 'monthly', currentPeriodEnd: new Date('2031-02-01T00:00:00Z') });
    expect(s.pendingEvents.map((e) => e.type)).toEqual(['storytelling.subscription.subscription.created.v1']);
  });

  it('plans: free → paid charges the full price from now; upgrades pro rata; lower tiers and cycle changes wait for the period end', () => {
    const s = fresh();
    expect(s.planChange(FREE, GOLD, 'yearly')).toMatchObject({ kind: 'charge', reason: 'new', amountMinor: 19990, periodStart: clock.now(), keepsPeriod: false });
    expect(() => s.planChange(FREE, FREE, 'monthly')).toThrow(TierNotPurchasableError);
    s.beginPayment('silver', 'monthly', 'saga-1', 'tok_visa');
    expect(() => s.planChange(FREE, GOLD, 'monthly')).toThrow(SubscriptionChangePendingError);
    s.activate({ tier: 'silver', billingCycle: 'monthly', periodStart: clock.now(), periodEnd: periodEnd(clock.now(), 'monthly'), paymentId: 'p', amountMinor: 999, currency: 'USD', renewal: false }, FREE, SILVER);
    expect(s.pendingEvents.map((e) => e.type.split('.')[3])).toEqual(['created', 'activated', 'tier_upgraded']);
    expect(() => s.planChange(SILVER, SILVER, 'monthly')).toThrow(AlreadySubscribedError);
    clock.advance(15 * 86_400_000);
    const up = s.planChange(SILVER, GOLD, 'monthly');
    expect(up).toMatchObject({ kind: 'charge', reason: 'upgrade', keepsPeriod: true });
    expect(up.kind === 'charge' && up.amountMinor).toBe(Math.round((1000 * 16) / 31));
    expect(s.planChange(SILVER, SILVER, 'yearly')).toEqual({ kind: 'scheduled', effectiveAt: s.state.currentPeriodEnd });
  });

  it('a refused payment keeps the tier; the same saga id is required', () => {
    const s = fresh();
    s.beginPayment('gold', 'monthly', 'saga-2', 'tok_chargeDeclined');
    expect(s.awaits('saga-2')).toBe(true);
    s.paymentFailed('other-saga', 'p', 'card_declined');
    expect(s.state.pendingChange?.status).toBe('payment_pending');
    s.paymentFailed('saga-2', 'p', 'card_declined');
    expect(s.state).toMatchObject({ tier: 'free', pendingChange: { status: 'payment_failed', failureReason: 'card_declined' } });
    expect(s.awaits('saga-2')).toBe(false);
  });

  it('period end: cancel → free (user_request); scheduled downgrade → TierDowngraded then renewal; free rolls over', () => {
    const paid = Subscription.rehydrate(
      { ...fresh().state, tier: 'gold', cancelAtPeriodEnd: true, currentPeriodStart: new Date('2031-01-01T00:00:00Z'), currentPeriodEnd: new Date('2031-02-01T00:00:00Z') },
      3,
      clock,
    );
    expect(paid.closePeriod(byId)).toBeUndefined();
    expect(paid.state).toMatchObject({ tier: 'free', cancelAtPeriodEnd: false, currentPeriodStart: new Date('2031-02-01T00:00:00Z') });
    expect(paid.pendingEvents[0]!.data).toMatchObject({ reason: 'user_request', tier: 'gold' });

    const downgrading = Subscription.rehydrate({ ...fresh().state, tier: 'gold', paymentMethod: 'tok_visa' }, 3, clock);
    downgrading.schedule('silver', 'monthly');
    expect(downgrading.closePeriod(byId)).toEqual({ tier: SILVER, cycle: 'monthly', attempt: 1 });
    expect(downgrading.pendingEvents.map((e) => e.type.split('.')[3])).toEqual(['tier_downgraded']);

    const free = fresh();
    free.markPersisted();
    expect(free.closePeriod(byId)).toBeUndefined();
    expect(free.state.currentPeriodStart).toEqual(new Date('2031-02-01T00:00:00Z'));
    expect(free.pendingEvents.map((e) => e.type.split('.')[3])).toEqual(['renewed']);
    expect(() => free.cancelAtPeriodEnd()).toThrow(SubscriptionNotCancellableError);
  });

  it('deactivation cancels once', () => {
    const s = fresh();
    expect(s.deactivate()).toBe(true);
    expect(s.deactivate()).toBe(false);
    expect(s.state.status).toBe('cancelled');
    expect(s.isLive).toBe(false);
  });
});
