import type { FixedClock } from '@storytelling/kernel';
import { createServiceTokenSource, runWithContext } from '@storytelling/platform';
import { EventProbe, serviceEnv, waitUntil, type ProbedEvent } from '@storytelling/testing';
import type { DataSource } from 'typeorm';
import {
  Publisher,
  as,
  outcome,
  processed,
  registerUser,
  type RunningIdentity,
  type RunningSubscription,
  type TestUser,
} from '../support/harness.js';
import { REFUND, type ChargeCommand, type PaymentsDouble } from '../support/payments-double.js';
import { startSagaWorld, type SagaWorld } from '../support/saga-world.js';

const DAY = 86_400_000;

describe('paid-subscription saga (identity + subscription in process; the test plays payments)', () => {
  let world: SagaWorld;
  let identity: RunningIdentity;
  let app: RunningSubscription;
  let ds: DataSource;
  let publisher: Publisher;
  let commands: EventProbe;
  let events: EventProbe;
  let payments: PaymentsDouble;
  let clock: FixedClock;
  const users: Record<string, TestUser> = {};

  beforeAll(async () => {
    world = await startSagaWorld('saga');
    ({ identity, app, ds, publisher, commands, events, payments, clock } = world);
    for (const name of ['ann', 'bob', 'cat', 'dan', 'eve', 'fay', 'gus', 'hal', 'ivy', 'jon', 'kim', 'lea']) users[name] = await registerUser(identity, ds, name);
  });

  afterAll(() => world?.close());

  const subOf = async (user: TestUser) => (await app.client.getSubscription({ userId: '' }, as(user))).subscription!;
  const change = (user: TestUser, tierId: string, billingCycle = 'monthly', token = 'tok_visa', extra: Record<string, string> = {}) =>
    app.client.changeSubscription({ tierId, billingCycle, paymentMethod: { token } }, as(user, extra));
  const sagaOf = async (id: string) => ((await ds.query(`SELECT status, step, state FROM saga_instances WHERE id = $1`, [id])) as Array<{ status: string; step: string; state: Record<string, unknown> }>)[0];
  const eventFor = (type: string, subscriptionId: string) =>
    events.waitFor((e) => e.envelope.type === `storytelling.subscription.subscription.${type}.v1` && e.envelope.subject === subscriptionId, 20_000);

  /** Makes `user` a paying subscriber of `tier` (the charge answered as processed). */
  async function makePaid(user: TestUser, tier: string, cycle = 'monthly'): Promise<ProbedEvent<ChargeCommand>> {
    const { subscription } = await change(user, tier, cycle);
    const cmd = await payments.charge(subscription!.id);
    await processed(ds, await payments.processed(cmd));
    return cmd;
  }

  it('happy path: 202-style pending answer, ChargePayment through the outbox, activation on PaymentProcessed', async () => {
    const ann = users.ann!;
    const { subscription } = await change(ann, 'silver');
    expect(subscription).toMatchObject({ tier: 'free', status: 'active', pendingChange: { tier: 'silver', billingCycle: 'monthly', status: 'payment_pending' } });
    const cmd = await payments.charge(subscription!.id);
    const c = cmd.envelope.data;
    expect(c).toMatchObject({ userId: ann.id, subscriptionId: subscription!.id, amountMinor: '999', currency: 'USD', paymentMethod: 'tok_visa' });
    expect(cmd.envelope.subject).toBe(c.sagaId);
    expect(cmd.envelope.correlationid).toBe(c.sagaId);
    expect(cmd.key).toBe(c.sagaId);
    expect((await sagaOf(c.sagaId))).toMatchObject({ status: 'running', step: 'charge' });

    await processed(ds, await payments.processed(cmd));
    const after = await subOf(ann);
    expect(after).toMatchObject({ tier: 'silver', status: 'active', billingCycle: 'monthly', cancelAtPeriodEnd: false });
    expect(after.pendingChange ?? undefined).toBeUndefined();
    expect(new Date(after.currentPeriodStart).getTime()).toBe(clock.now().getTime());
    expect(after.usage.find((u) => u.resource === 'stories')).toMatchObject({ used: 0, limit: 10 });
    const activated = await eventFor('activated', subscription!.id);
    expect(activated.envelope.data).toMatchObject({ tier: 'silver', paymentId: c.paymentId, amountMinor: '999', currency: 'USD' });
    expect(activated.envelope.correlationid).toBe(c.sagaId);
    expect((await eventFor('tier_upgraded', subscription!.id)).envelope.data).toMatchObject({ fromTier: 'free', toTier: 'silver' });
    expect(await sagaOf(c.sagaId)).toMatchObject({ status: 'completed', step: 'activate' });
    const steps: Array<{ name: string; status: string }> = await ds.query(`SELECT name, status FROM saga_steps WHERE saga_id = $1 ORDER BY seq`, [c.sagaId]);
    expect(steps).toEqual([
      { name: 'charge', status: 'started' },
      { name: 'charge', status: 'completed' },
      { name: 'activate', status: 'completed' },
    ]);
  });

  it('an upgrade from a paid tier charges pro rata for the rest of the period and applies at once', async () => {
    const ann = users.ann!;
    const before = await subOf(ann);
    clock.advance(10 * DAY);
    const mark = payments.mark();
    const { subscription } = await change(ann, 'gold');
    const cmd = await payments.charge(subscription!.id, mark);
    const start = new Date(before.currentPeriodStart).getTime();
    const end = new Date(before.currentPeriodEnd).getTime();
    const expected = Math.round(((1999 - 999) * (end - clock.now().getTime())) / (end - start));
    expect(cmd.envelope.data.amountMinor).toBe(String(expected));
    expect(expected).toBeLessThan(1000);
    await processed(ds, await payments.processed(cmd));
    const after = await subOf(ann);
    expect(after).toMatchObject({ tier: 'gold', currentPeriodStart: before.currentPeriodStart, currentPeriodEnd: before.currentPeriodEnd });
  });

  it.each([
    ['bob', 'card_declined'],
    ['cat', 'insufficient_funds'],
  ])('a refused charge (%s: %s) leaves the user on their tier with a payment_failed change', async (name, reason) => {
    const user = users[name]!;
    const { subscription } = await change(user, 'gold', 'yearly', reason === 'card_declined' ? 'tok_chargeDeclined' : 'tok_insufficientFunds');
    const cmd = await payments.charge(subscription!.id);
    expect(cmd.envelope.data.amountMinor).toBe('19990');
    await processed(ds, await payments.failed(cmd, reason));
    const after = await subOf(user);
    expect(after).toMatchObject({ tier: 'free', status: 'active', pendingChange: { tier: 'gold', status: 'payment_failed', failureReason: reason } });
    expect((await eventFor('payment_failed', subscription!.id)).envelope.data).toMatchObject({ requestedTier: 'gold', currentTier: 'free', reason });
    expect(await sagaOf(cmd.envelope.data.sagaId)).toMatchObject({ status: 'failed' });
    // a new attempt is allowed after a failure
    const retry = await change(user, 'silver');
    expect(retry.subscription!.pendingChange).toMatchObject({ tier: 'silver', status: 'payment_pending' });
  });

  it('one change at a time; bad requests are refused with stable codes', async () => {
    const dan = users.dan!;
    await change(dan, 'silver');
    expect(await outcome(change(dan, 'gold'))).toBe('ALREADY_EXISTS:SUBSCRIPTION_CHANGE_PENDING');
    expect(await outcome(change(users.eve!, 'diamond'))).toBe('NOT_FOUND:TIER_NOT_FOUND');
    expect(await outcome(change(users.eve!, 'free'))).toBe('FAILED_PRECONDITION:TIER_NOT_PURCHASABLE');
    expect(await outcome(change(users.eve!, 'gold', 'weekly'))).toBe('INVALID_ARGUMENT:VALIDATION_FAILED');
    expect(await outcome(change(users.eve!, 'gold', 'monthly', ''))).toBe('INVALID_ARGUMENT:VALIDATION_FAILED');
    expect(await outcome(app.client.changeSubscription({ tierId: 'gold', billingCycle: 'monthly', paymentMethod: { token: 'tok_visa' } }))).toBe('UNAUTHENTICATED:UNAUTHENTICATED');
  });

  it('Idempotency-Key: the same key and body answer the first result with one charge; another body is IDEMPOTENCY_KEY_REUSED', async () => {
    const eve = users.eve!;
    const key = { 'idempotency-key': `sub-${Date.now()}` };
    const first = await change(eve, 'platinum', 'monthly', 'tok_visa', key);
    const again = await change(eve, 'platinum', 'monthly', 'tok_visa', key);
    expect(again).toEqual(first);
    expect(await outcome(change(eve, 'gold', 'monthly', 'tok_visa', key))).toBe('ALREADY_EXISTS:IDEMPOTENCY_KEY_REUSED');
    const cmd = await payments.charge(first.subscription!.id);
    await new Promise((r) => setTimeout(r, 500));
    expect(commands.received.filter((e) => (e.envelope.data as ChargeCommand).subscriptionId === first.subscription!.id)).toHaveLength(1);
    await processed(ds, await payments.processed(cmd));
    expect((await subOf(eve)).tier).toBe('platinum');
  });

  it('activation impossible after a successful charge (account deactivated meanwhile) → RefundPayment, then compensated', async () => {
    const fay = users.fay!;
    const { subscription } = await change(fay, 'silver');
    const cmd = await payments.charge(subscription!.id);
    await processed(
      ds,
      await publisher.publish('identity.user.events', {
        type: 'storytelling.identity.user.deactivated.v1',
        subject: fay.id,
        source: '/storytelling/identity',
        version: 9,
        data: { userId: fay.id },
      }),
    );
    await processed(ds, await payments.processed(cmd));
    const refund = (await commands.waitFor((e) => e.envelope.type === REFUND && (e.envelope.data as { paymentId: string }).paymentId === cmd.envelope.data.paymentId)) as ProbedEvent<{
      sagaId: string;
      paymentId: string;
    }>;
    expect(refund.envelope.correlationid).toBe(cmd.envelope.data.sagaId);
    expect(await sagaOf(cmd.envelope.data.sagaId)).toMatchObject({ status: 'compensating', step: 'refund' });
    const row = ((await ds.query(`SELECT tier, status FROM subscriptions WHERE id = $1`, [subscription!.id])) as Array<{ tier: string; status: string }>)[0];
    expect(row).toEqual({ tier: 'free', status: 'cancelled' });
    await processed(ds, await payments.refunded(refund, cmd.envelope.data));
    expect(await sagaOf(cmd.envelope.data.sagaId)).toMatchObject({ status: 'compensated' });
  });

  it('a crash between charge and activation: a new process completes the saga, with exactly one ChargePayment', async () => {
    const gus = users.gus!;
    const { subscription } = await change(gus, 'gold');
    const cmd = await payments.charge(subscription!.id);
    await app.close();
    const reply = await payments.processed(cmd); // answered while subscription is down
    app = await world.startAgain();
    await processed(ds, reply);
    expect(await subOf(gus)).toMatchObject({ tier: 'gold', status: 'active' });
    expect(await sagaOf(cmd.envelope.data.sagaId)).toMatchObject({ status: 'completed' });
    await new Promise((r) => setTimeout(r, 500));
    expect(payments.charges(cmd.envelope.data.paymentId)).toHaveLength(1);
    const outbox: Array<{ n: string }> = await ds.query(`SELECT count(*) AS n FROM domain_events WHERE type = 'storytelling.payments.payment.charge.v1' AND data->>'paymentId' = $1`, [cmd.envelope.data.paymentId]);
    expect(Number(outbox[0]!.n)).toBe(1);
  });

  it('a charge without an answer times out: payment_failed (payment_timeout), no blind refund, and a refund once the charge lands late', async () => {
    const hal = users.hal!;
    const { subscription } = await change(hal, 'silver');
    const cmd = await payments.charge(subscription!.id);
    clock.advance(11 * 60_000);
    const { deadlines } = await runWithContext({ correlationId: 'tick' }, () => app.scheduler.tick());
    expect(deadlines).toBeGreaterThanOrEqual(1);
    expect((await subOf(hal)).pendingChange).toMatchObject({ status: 'payment_failed', failureReason: 'payment_timeout' });
    expect(await sagaOf(cmd.envelope.data.sagaId)).toMatchObject({ status: 'compensating' });
    const refundsSent = async (): Promise<number> => {
      const rows: Array<{ n: string }> = await ds.query(`SELECT count(*) AS n FROM domain_events WHERE type = $1 AND data->>'paymentId' = $2`, [REFUND, cmd.envelope.data.paymentId]);
      return Number(rows[0]!.n);
    };
    expect(await refundsSent()).toBe(0); // payments may never have seen the charge: nothing to refund yet
    await processed(ds, await payments.processed(cmd)); // the charge lands late
    await commands.waitFor((e) => e.envelope.type === REFUND && (e.envelope.data as { paymentId: string }).paymentId === cmd.envelope.data.paymentId);
    await new Promise((r) => setTimeout(r, 500));
    expect(await refundsSent()).toBe(1);
    expect(payments.refunds(cmd.envelope.data.paymentId)).toHaveLength(1);
    expect((await subOf(hal)).tier).toBe('free');
  });

  it('another user\'s subscription is private unless the caller is admin/support/service', async () => {
    expect(await outcome(app.client.getSubscription({ userId: users.ann!.id }, as(users.bob!)))).toBe('PERMISSION_DENIED:SUBSCRIPTION_PRIVATE');
    expect(await outcome(app.client.checkQuota({ userId: users.ann!.id, resource: 'stories', amount: 1 }, as(users.bob!)))).toBe('PERMISSION_DENIED:SUBSCRIPTION_PRIVATE');
    const admin = await identity.client.login(identity.superAdmin);
    const seen = await app.client.getSubscription({ userId: users.ann!.id }, { metadata: { authorization: `Bearer ${admin.accessToken}` } });
    expect(seen.subscription!.userId).toBe(users.ann!.id);
    // a service token issued for subscription (role service) may ask about anyone; one for another callee is refused
    const tokens = createServiceTokenSource({ identityUrl: identity.handle.grpcUrl!, service: 'notification', secret: serviceEnv('notification').SERVICE_TOKEN_SECRET! });
    try {
      const forUs = { metadata: { authorization: `Bearer ${await tokens.token('subscription')}` } };
      expect(await app.client.checkQuota({ userId: users.ann!.id, resource: 'stories', amount: 1 }, forUs)).toMatchObject({ allowed: true, tier: expect.any(String) });
      const forStory = { metadata: { authorization: `Bearer ${await tokens.token('story')}` } };
      expect(await outcome(app.client.checkQuota({ userId: '', resource: 'stories', amount: 1 }, forUs))).toBe('INVALID_ARGUMENT:VALIDATION_FAILED');
      expect(await outcome(app.client.changeSubscription({ tierId: 'gold', billingCycle: 'monthly', paymentMethod: { token: 'tok_visa' } }, forUs))).toBe('PERMISSION_DENIED:SERVICE_NOT_ALLOWED');
      expect(await outcome(app.client.checkQuota({ userId: users.ann!.id, resource: 'stories', amount: 1 }, forStory))).toBe('UNAUTHENTICATED:INVALID_TOKEN');
    } finally {
      tokens.close();
    }
  });

  it('period end: paid renews through the saga (once, however often the scheduler runs), downgrades and cancellations apply, free rolls over', async () => {
    const [ann, ivy, jon, kim] = [users.ann!, users.ivy!, users.jon!, users.kim!];
    await makePaid(ivy, 'gold');
    await makePaid(jon, 'silver');
    // ivy downgrades to silver (scheduled), jon cancels; both at period end
    const scheduled = (await change(ivy, 'silver')).subscription!;
    expect(scheduled).toMatchObject({ tier: 'gold', pendingChange: { tier: 'silver', status: 'scheduled', effectiveAt: scheduled.currentPeriodEnd } });
    const cancelled = (await app.client.cancelSubscription({}, as(jon))).subscription!;
    expect(cancelled).toMatchObject({ tier: 'silver', cancelAtPeriodEnd: true });
    expect(await outcome(app.client.cancelSubscription({}, as(kim)))).toBe('FAILED_PRECONDITION:SUBSCRIPTION_NOT_CANCELLABLE');
    const annBefore = await subOf(ann);
    const kimBefore = await subOf(kim);
    const offset = payments.mark();

    clock.set(new Date(new Date(scheduled.currentPeriodEnd).getTime() + 1000));
    await Promise.all([app.scheduler.tick(), app.scheduler.tick()]); // two passes at once (two replicas)
    await app.scheduler.tick();

    // ann (gold, monthly): one renewal charge at the full gold price for the next period
    const annCharge = await payments.charge(annBefore.id, offset);
    expect(annCharge.envelope.data.amountMinor).toBe('1999');
    // ivy: TierDowngraded, then a silver renewal charge
    const ivyCharge = await payments.charge(scheduled.id, offset);
    expect(ivyCharge.envelope.data.amountMinor).toBe('999');
    expect((await eventFor('tier_downgraded', scheduled.id)).envelope.data).toMatchObject({ fromTier: 'gold', toTier: 'silver' });
    await new Promise((r) => setTimeout(r, 500));
    const renewalCharges = commands.received.slice(offset).filter((e) => [annBefore.id, scheduled.id].includes((e.envelope.data as ChargeCommand).subscriptionId));
    expect(renewalCharges).toHaveLength(2);
    // jon: back to free, no charge
    expect(await subOf(jon)).toMatchObject({ tier: 'free', status: 'active', cancelAtPeriodEnd: false, currentPeriodStart: cancelled.currentPeriodEnd });
    expect((await eventFor('cancelled', cancelled.id)).envelope.data).toMatchObject({ tier: 'silver', reason: 'user_request' });
    // kim (free): the next period
    expect((await subOf(kim)).currentPeriodStart).toBe(kimBefore.currentPeriodEnd);

    // renewals answered: ann renewed; ivy's renewal declined → grace period on silver (dunning.test.ts has the rest)
    await processed(ds, await payments.processed(annCharge));
    const annAfter = await subOf(ann);
    expect(annAfter).toMatchObject({ tier: 'gold', currentPeriodStart: annBefore.currentPeriodEnd });
    expect((await eventFor('renewed', annBefore.id)).envelope.data).toMatchObject({ tier: 'gold', paymentId: annCharge.envelope.data.paymentId });
    await processed(ds, await payments.failed(ivyCharge, 'card_declined'));
    expect(await subOf(ivy)).toMatchObject({ tier: 'silver', status: 'payment_failed', currentPeriodEnd: scheduled.currentPeriodEnd, graceEndsAt: new Date(new Date(scheduled.currentPeriodEnd).getTime() + 7 * DAY).toISOString() });
    await waitUntil(async () => (await app.scheduler.tick()).renewals === 0, 10_000);
  });

  it('an upgrade with nothing left to charge (the period ends in a moment) applies at once, without a payment', async () => {
    const lea = users.lea!;
    await makePaid(lea, 'silver');
    const before = await subOf(lea);
    clock.set(new Date(new Date(before.currentPeriodEnd).getTime() - 1));
    const mark = payments.mark();
    const { subscription } = await change(lea, 'gold');
    expect(subscription).toMatchObject({ tier: 'gold', status: 'active', currentPeriodEnd: before.currentPeriodEnd });
    expect(subscription!.pendingChange ?? undefined).toBeUndefined();
    const activated = await events.waitFor((e) => e.envelope.type.endsWith('.activated.v1') && e.envelope.subject === before.id && (e.envelope.data as { tier: string }).tier === 'gold');
    expect(activated.envelope.data).toMatchObject({ tier: 'gold', currency: 'USD' });
    await new Promise((r) => setTimeout(r, 500));
    expect(commands.received.slice(mark).filter((e) => (e.envelope.data as ChargeCommand).subscriptionId === before.id)).toHaveLength(0);
  });
});
