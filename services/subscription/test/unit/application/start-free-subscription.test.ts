import { StartFreeSubscriptionCommand, StartFreeSubscriptionHandler } from '../../../src/application/index.js';
import { SubscriptionEventTypes as T, addMonths } from '../../../src/domain/index.js';
import { eventsOf, outcomeOf, storedSubscription, subscriptionWorld } from '../../support/in-memory.js';

// StartFreeSubscription (identity's UserRegistered): a free subscription, once per user.

const USER = '0190d4a0-0000-7000-8000-0000000000e1';
const SUB_A = '0190d4a0-0000-7000-8000-00000000a001';
const SUB_B = '0190d4a0-0000-7000-8000-00000000a002';
const REGISTERED = new Date('2026-01-31T09:30:00Z');
const NOW = new Date('2026-01-31T09:30:05Z');

function setup() {
  const w = subscriptionWorld(NOW);
  const handler = new StartFreeSubscriptionHandler(w.uow, w.clock);
  return { ...w, start: async (id: string, userId = USER) => handler.execute(new StartFreeSubscriptionCommand(id, userId, REGISTERED)) };
}

describe('StartFreeSubscriptionHandler', () => {
  it('creates an active free subscription with monthly periods from the registration (SubscriptionCreated)', async () => {
    const { uow, clock, start } = setup();
    expect(await start(SUB_A)).toBe(true);
    expect(storedSubscription(uow, clock, USER).state).toMatchObject({
      id: SUB_A,
      tier: 'free',
      status: 'active',
      billingCycle: 'monthly',
      currentPeriodStart: REGISTERED,
      currentPeriodEnd: addMonths(REGISTERED, 1), // Feb 28: clamped, anchored at the 31st
      cancelAtPeriodEnd: false,
      pendingChange: null,
      paymentMethod: null,
      createdAt: NOW,
    });
    expect(eventsOf(uow)).toEqual([
      expect.objectContaining({
        type: T.SubscriptionCreated,
        aggregateId: SUB_A,
        aggregateVersion: 1,
        data: { subscriptionId: SUB_A, userId: USER, tier: 'free', status: 'active', billingCycle: 'monthly', currentPeriodStart: REGISTERED.toISOString(), currentPeriodEnd: '2026-02-28T09:30:00.000Z' },
      }),
    ]);
    expect(uow.tables.events[0]!.aggregateType).toBe('subscription');
  });

  it('once per user: a second registration event (another subscription id) changes nothing', async () => {
    const { uow, start } = setup();
    await start(SUB_A);
    expect(await start(SUB_B)).toBe(false);
    expect([...uow.tables.subscriptions.keys()]).toEqual([SUB_A]);
    expect(uow.tables.events).toHaveLength(1);
  });

  it('a user id that is not a UUID is a ValidationError (the translator dead-letters it); nothing is written', async () => {
    const { uow, start } = setup();
    expect(await outcomeOf(start(SUB_A, 'not-a-uuid'))).toBe('validation:VALIDATION_FAILED');
    expect(await outcomeOf(start(SUB_A, ''))).toBe('validation:VALIDATION_FAILED');
    expect(uow.tables.subscriptions.size).toBe(0);
    expect(uow.commits).toBe(0);
  });
});
