import { paymentsCommands, paymentsEvents } from '@storytelling/contracts';
import { ChangeSubscriptionCommand, ChangeSubscriptionHandler, DeactivateSubscriptionCommand, DeactivateSubscriptionHandler } from '../../../src/application/index.js';
import { SubscriptionEventTypes as T } from '../../../src/domain/index.js';
import { callerOf, eventsOf, outcomeOf, paymentProcessed, seedSubscription, storedSubscription, subscriptionWorld } from '../../support/in-memory.js';

// DeactivateSubscription (identity's UserDeactivated): the subscription ends at once.

const USER = '0190d4a0-0000-7000-8000-0000000000f1';
const T0 = new Date('2026-03-10T10:00:00Z');

function setup() {
  const w = subscriptionWorld(T0);
  const handler = new DeactivateSubscriptionHandler(w.uow);
  return { ...w, deactivate: async (userId = USER) => handler.execute(new DeactivateSubscriptionCommand(userId)), stored: () => storedSubscription(w.uow, w.clock, USER) };
}

describe('DeactivateSubscriptionHandler', () => {
  it('cancels at once, whatever was scheduled or in dunning (SubscriptionCancelled account_deactivated)', async () => {
    const { uow, deactivate, stored } = setup();
    const sub = seedSubscription(uow, {
      userId: USER,
      tier: 'gold',
      status: 'payment_failed',
      cancelAtPeriodEnd: true,
      currentPeriodStart: new Date('2026-02-08T10:00:00Z'),
      dunning: { periodStart: new Date('2026-03-08T10:00:00Z'), tier: 'gold', billingCycle: 'monthly', failedAttempts: 1, nextRetryAt: new Date('2026-03-11T10:00:00Z'), graceEndsAt: new Date('2026-03-15T10:00:00Z') },
    });
    await deactivate();
    expect(stored().state).toMatchObject({ status: 'cancelled', tier: 'gold', cancelAtPeriodEnd: false, pendingChange: null, dunning: null });
    expect(eventsOf(uow)).toEqual([
      expect.objectContaining({ type: T.SubscriptionCancelled, aggregateId: sub.id, aggregateVersion: 2, data: { subscriptionId: sub.id, userId: USER, tier: 'gold', reason: 'account_deactivated', effectiveAt: T0.toISOString() } }),
    ]);
  });

  it('a second deactivation, or one for a user without a subscription, changes nothing', async () => {
    const { uow, deactivate } = setup();
    seedSubscription(uow, { userId: USER, currentPeriodStart: T0 });
    await deactivate();
    await deactivate();
    await deactivate('0190d4a0-0000-7000-8000-0000000000f2');
    expect(eventsOf(uow).map((e) => e.type)).toEqual([T.SubscriptionCancelled]);
  });

  it('a user id that is not a UUID is a ValidationError', async () => {
    const { uow, deactivate } = setup();
    expect(await outcomeOf(deactivate('user-1'))).toBe('validation:VALIDATION_FAILED');
    expect(uow.commits).toBe(0);
  });

  it('a charge in flight no longer activates anything: its late success is refunded', async () => {
    const { uow, clock, sagas, deactivate, stored } = setup();
    seedSubscription(uow, { userId: USER, currentPeriodStart: T0 });
    await new ChangeSubscriptionHandler(uow, sagas, clock).execute(new ChangeSubscriptionCommand(callerOf(USER), { tierId: 'gold', billingCycle: 'monthly', paymentToken: 'tok_visa' }));
    const [charge] = sagas.sent(paymentsCommands.ChargePayment);
    await deactivate();
    await sagas.reply(charge!.subject, paymentsEvents.PaymentProcessed, paymentProcessed(charge!));
    expect(sagas.sent(paymentsCommands.RefundPayment)).toEqual([expect.objectContaining({ paymentId: charge!.paymentId, reason: 'activation_failed', subject: charge!.subject })]);
    expect(sagas.all[0]).toMatchObject({ status: 'compensating', step: 'refund' });
    expect(stored().state).toMatchObject({ status: 'cancelled', tier: 'free' });
  });
});
