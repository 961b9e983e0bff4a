import type { Caller } from '@storytelling/platform';
import { CheckQuotaHandler, CheckQuotaQuery, GetSubscriptionHandler, GetSubscriptionQuery, GetUsageHandler, GetUsageQuery, ListTiersHandler } from '../../../src/application/index.js';
import { addMonths, type SubscriptionState, type UsageResource, type Window } from '../../../src/domain/index.js';
import { callerOf, outcomeOf, seedSubscription, subscriptionWorld, type SubscriptionWorld } from '../../support/in-memory.js';

// The queries (gRPC GetSubscription, GetUsage, CheckQuota, ListTiers) against in-memory
// repositories, with the access rule of application/caller.ts: another user's data only for the
// roles service, admin, super-admin and customer-support.

const ME = '0190d4a0-0000-7000-8000-000000000011';
const OTHER = '0190d4a0-0000-7000-8000-000000000022';
const NEWCOMER = '0190d4a0-0000-7000-8000-000000000044';
const START = new Date('2026-03-01T00:00:00Z');
const MARCH: Window = { start: START, end: new Date('2026-04-01T00:00:00Z') };
const NOW = new Date('2026-03-20T12:00:00Z');

function setup(row: Partial<SubscriptionState> = {}) {
  const w = subscriptionWorld(NOW);
  const sub = seedSubscription(w.uow, { userId: OTHER, currentPeriodStart: START, ...row });
  seedSubscription(w.uow, { userId: ME, currentPeriodStart: START });
  const getSubscription = new GetSubscriptionHandler(w.uow, w.clock);
  const getUsage = new GetUsageHandler(w.uow, w.clock);
  const checkQuota = new CheckQuotaHandler(w.uow, w.clock);
  return {
    ...w,
    sub,
    subscription: (caller: Caller, userId?: string) => getSubscription.execute(new GetSubscriptionQuery(caller, userId)),
    usageOf: (caller: Caller, userId?: string) => getUsage.execute(new GetUsageQuery(caller, userId)),
    quota: (caller: Caller, input: { userId?: string; resource: unknown; amount: unknown }) => checkQuota.execute(new CheckQuotaQuery(caller, input)),
  };
}

/** `used` committed and `reserved` held on a counter of `window`. */
async function given(w: SubscriptionWorld, subscriptionId: string, resource: UsageResource, window: Window, used: number, reserved = 0): Promise<void> {
  await w.uow.run(async (repos) => {
    if (used) await repos.usage.addUsed(subscriptionId, resource, window, used);
    if (reserved) await repos.usage.tryReserve(subscriptionId, resource, window, reserved, null);
  });
}

const ADMIN_ROLES = ['service', 'admin', 'super-admin', 'customer-support'];

describe('GetSubscriptionHandler', () => {
  it("answers the caller's own subscription with the usage of the current window and the tier's limits", async () => {
    const w = setup();
    const me = [...w.uow.tables.subscriptions.values()].find((r) => r.state.userId === ME)!.state;
    await given(w, me.id, 'stories', MARCH, 2, 1);
    await given(w, me.id, 'stories', { start: new Date('2026-02-01T00:00:00Z'), end: START }, 3); // last window: not shown
    expect(await w.subscription(callerOf(ME))).toEqual({
      id: me.id,
      userId: ME,
      tier: 'free',
      status: 'active',
      billingCycle: 'monthly',
      currentPeriodStart: START,
      currentPeriodEnd: MARCH.end,
      cancelAtPeriodEnd: false,
      pendingChange: null,
      graceEndsAt: null,
      version: 1,
      usage: [
        { resource: 'stories', used: 2, reserved: 1, limit: 3 },
        { resource: 'narrations', used: 0, reserved: 0, limit: 3 },
        { resource: 'videos', used: 0, reserved: 0, limit: 0 },
      ],
    });
  });

  it("another user's subscription is private to members; the service, admin and support roles may read it", async () => {
    const { sub, subscription } = setup({ tier: 'platinum' });
    expect(await outcomeOf(subscription(callerOf(ME), OTHER))).toBe('forbidden:SUBSCRIPTION_PRIVATE');
    for (const role of ADMIN_ROLES) expect(await subscription(callerOf(ME, role), OTHER.toUpperCase())).toMatchObject({ id: sub.id, userId: OTHER, tier: 'platinum', usage: expect.arrayContaining([{ resource: 'stories', used: 0, reserved: 0, limit: null }]) });
    expect((await subscription(callerOf(ME), ` ${ME.toUpperCase()} `)).userId).toBe(ME);
    expect((await subscription(callerOf(ME), '')).userId).toBe(ME);
  });

  it('a service must name the user; a user named by someone else without a subscription is SUBSCRIPTION_NOT_FOUND', async () => {
    const { subscription } = setup();
    expect(await outcomeOf(subscription(callerOf(ME, 'service')))).toBe('validation:VALIDATION_FAILED');
    expect(await outcomeOf(subscription(callerOf(ME, 'service'), NEWCOMER))).toBe('not_found:SUBSCRIPTION_NOT_FOUND');
    expect(await outcomeOf(subscription(callerOf(ME, 'admin'), NEWCOMER))).toBe('not_found:SUBSCRIPTION_NOT_FOUND');
  });

  it('a user whose UserRegistered has not arrived yet asks for their own: the free subscription starts now (never SUBSCRIPTION_NOT_FOUND)', async () => {
    const { subscription, usageOf, uow } = setup();
    expect(await subscription(callerOf(NEWCOMER))).toMatchObject({ userId: NEWCOMER, tier: 'free', status: 'active', currentPeriodStart: NOW, version: 1 });
    const stored = [...uow.tables.subscriptions.values()].filter((r) => r.state.userId === NEWCOMER);
    expect(stored).toHaveLength(1);
    expect((await usageOf(callerOf(NEWCOMER))).subscriptionId).toBe(stored[0]!.state.id);
    expect([...uow.tables.subscriptions.values()].filter((r) => r.state.userId === NEWCOMER)).toHaveLength(1);
  });

  it('shows when the grace period ends while a refused renewal is retried', async () => {
    const graceEndsAt = new Date('2026-03-08T00:00:00Z');
    const { subscription } = setup({
      tier: 'gold',
      status: 'payment_failed',
      currentPeriodStart: new Date('2026-02-01T00:00:00Z'),
      dunning: { periodStart: START, tier: 'gold', billingCycle: 'monthly', failedAttempts: 3, nextRetryAt: null, graceEndsAt },
    });
    expect(await subscription(callerOf(OTHER))).toMatchObject({ status: 'payment_failed', tier: 'gold', graceEndsAt });
  });
});

describe('GetUsageHandler', () => {
  it('answers the counters of the usage window containing now (a yearly subscription: its current month)', async () => {
    const yearStart = new Date('2026-01-15T00:00:00Z');
    const w = setup({ tier: 'gold', billingCycle: 'yearly', currentPeriodStart: yearStart });
    const window = { start: addMonths(yearStart, 2), end: addMonths(yearStart, 3) }; // Mar 15 – Apr 15
    await given(w, w.sub.id, 'videos', window, 4, 2);
    await given(w, w.sub.id, 'videos', { start: addMonths(yearStart, 1), end: window.start }, 9);
    expect(await w.usageOf(callerOf(OTHER))).toEqual({
      subscriptionId: w.sub.id,
      tier: 'gold',
      window,
      usage: [
        { resource: 'stories', used: 0, reserved: 0, limit: 30 },
        { resource: 'narrations', used: 0, reserved: 0, limit: 60 },
        { resource: 'videos', used: 4, reserved: 2, limit: 10 },
      ],
    });
  });

  it("follows the access rule, and answers SUBSCRIPTION_NOT_FOUND for an unknown user", async () => {
    const { usageOf } = setup();
    expect(await outcomeOf(usageOf(callerOf(ME), OTHER))).toBe('forbidden:SUBSCRIPTION_PRIVATE');
    expect(await outcomeOf(usageOf(callerOf(ME, 'customer-support'), OTHER))).toBe('ok');
    expect(await outcomeOf(usageOf(callerOf(ME, 'service')))).toBe('validation:VALIDATION_FAILED');
    expect(await outcomeOf(usageOf(callerOf(ME, 'admin'), '0190d4a0-0000-7000-8000-000000000033'))).toBe('not_found:SUBSCRIPTION_NOT_FOUND');
  });
});

describe('CheckQuotaHandler', () => {
  it('allows while committed + held + amount stays within the limit, and says what it counted', async () => {
    const w = setup(); // free: 3 stories
    await given(w, w.sub.id, 'stories', MARCH, 1, 1);
    const asService = callerOf('0190d4a0-0000-7000-8000-0000000000ee', 'service');
    expect(await w.quota(asService, { userId: OTHER, resource: 'stories', amount: 1 })).toEqual({ allowed: true, used: 1, reserved: 1, limit: 3, tier: 'free', window: MARCH });
    expect(await w.quota(asService, { userId: OTHER, resource: 'stories', amount: 2 })).toMatchObject({ allowed: false, used: 1, reserved: 1, limit: 3 });
    expect(await w.quota(callerOf(OTHER), { resource: 'videos', amount: 1 })).toMatchObject({ allowed: false, limit: 0 });
  });

  it('an unlimited resource is always allowed; a subscription that is not live allows nothing', async () => {
    const platinum = setup({ tier: 'platinum' });
    expect(await platinum.quota(callerOf(OTHER), { resource: 'stories', amount: 1_000_000 })).toMatchObject({ allowed: true, limit: null, tier: 'platinum' });
    const cancelled = setup({ tier: 'gold', status: 'cancelled' });
    expect(await cancelled.quota(callerOf(OTHER), { resource: 'stories', amount: 1 })).toMatchObject({ allowed: false, limit: 0, tier: 'gold' });
  });

  it('a user whose registration has not arrived yet is answered as free, with a window reaching a month back', async () => {
    const { quota } = setup();
    expect(await quota(callerOf(ME, 'service'), { userId: '0190d4a0-0000-7000-8000-000000000033', resource: 'stories', amount: 3 })).toEqual({
      allowed: true,
      used: 0,
      reserved: 0,
      limit: 3,
      tier: 'free',
      window: { start: addMonths(NOW, -1), end: addMonths(NOW, 1) },
    });
  });

  it('refuses an unknown resource or an amount that is not a positive integer; the access rule comes first', async () => {
    const { quota } = setup();
    expect(await outcomeOf(quota(callerOf(OTHER), { resource: 'minutes', amount: 1 }))).toBe('validation:VALIDATION_FAILED');
    for (const amount of [0, -1, 1.5, '1', undefined]) expect(await outcomeOf(quota(callerOf(OTHER), { resource: 'stories', amount }))).toBe('validation:VALIDATION_FAILED');
    expect(await outcomeOf(quota(callerOf(ME), { userId: OTHER, resource: 'minutes', amount: 1 }))).toBe('forbidden:SUBSCRIPTION_PRIVATE');
    expect(await outcomeOf(quota(callerOf(ME, 'admin'), { userId: OTHER, resource: 'stories', amount: 1 }))).toBe('ok');
  });
});

describe('ListTiersHandler', () => {
  it('answers the catalogue by rank, prices in minor units, null for unlimited', async () => {
    const { uow } = subscriptionWorld(NOW);
    const tiers = await new ListTiersHandler(uow).execute();
    expect(tiers.map((t) => [t.id, t.rank, t.priceMonthlyMinor, t.priceYearlyMinor, t.limits.storiesPerMonth, t.voiceCloning])).toEqual([
      ['free', 0, 0, 0, 3, false],
      ['silver', 1, 999, 9990, 10, true],
      ['gold', 2, 1999, 19990, 30, true],
      ['platinum', 3, 3999, 39990, null, true],
    ]);
  });
});
