import type { FixedClock } from '@storytelling/kernel';
import { EventProbe, type ProbedEvent } from '@storytelling/testing';
import type { DataSource } from 'typeorm';
import { periodEnd } from '../../src/domain/index.js';
import {
  as,
  processed,
  registerUser,
  type RunningIdentity,
  type RunningSubscription,
  type TestUser,
} from '../support/harness.js';
import { CHARGE, type ChargeCommand, type PaymentsDouble } from '../support/payments-double.js';
import { startSagaWorld, type SagaWorld } from '../support/saga-world.js';

const DAY = 86_400_000;
const SUBSCRIPTION_EVENT = (name: string) => `storytelling.subscription.subscription.${name}.v1`;

/**
 * The grace period after a refused renewal (ADR 0018), with the defaults (7 days, retries after
 * 1, 3 and 5 days). Four users pay gold at the same moment, so their periods end together at E.
 */
describe('dunning: a refused renewal keeps the tier for a grace period with retries', () => {
  let world: SagaWorld;
  let identity: RunningIdentity;
  let app: RunningSubscription;
  let ds: DataSource;
  let commands: EventProbe;
  let events: EventProbe;
  let payments: PaymentsDouble;
  let clock: FixedClock;
  const users: Record<string, TestUser> = {};
  const subs: Record<string, string> = {};
  let E: Date;

  beforeAll(async () => {
    world = await startSagaWorld('dunning');
    ({ identity, app, ds, commands, events, payments, clock } = world);
    for (const name of ['ann', 'bob', 'cat', 'dan']) {
      const user = await registerUser(identity, ds, name);
      users[name] = user;
      const { subscription } = await app.client.changeSubscription({ tierId: 'gold', billingCycle: 'monthly', paymentMethod: { token: 'tok_visa' } }, as(user));
      subs[name] = subscription!.id;
      await processed(ds, await payments.processed(await payments.charge(subscription!.id)));
    }
    E = new Date((await subOf(users.ann!)).currentPeriodEnd);
  });

  afterAll(() => world?.close());

  const subOf = async (user: TestUser) => (await app.client.getSubscription({ userId: '' }, as(user))).subscription!;
  const at = (ms: number) => new Date(E.getTime() + ms);
  const iso = (ms: number) => at(ms).toISOString();
  const chargesSince = (mark: number, name: string) =>
    commands.received.slice(mark).filter((e) => e.envelope.type === CHARGE && (e.envelope.data as ChargeCommand).subscriptionId === subs[name]) as Array<ProbedEvent<ChargeCommand>>;
  const eventsOf = (name: string, type: string) => events.received.filter((e) => e.envelope.subject === subs[name] && e.envelope.type === SUBSCRIPTION_EVENT(type));
  const paymentFailed = (name: string, attempt: number) =>
    events.waitFor((e) => e.envelope.subject === subs[name] && e.envelope.type === SUBSCRIPTION_EVENT('payment_failed') && (e.envelope.data as { attempt?: number }).attempt === attempt, 20_000);
  const sagaKeys = async (name: string): Promise<string[]> =>
    ((await ds.query(`SELECT saga_key FROM saga_instances WHERE state->>'subscriptionId' = $1 AND saga_key IS NOT NULL`, [subs[name]])) as Array<{ saga_key: string }>).map((r) => r.saga_key).sort();
  /** Two scheduler passes at once (two replicas), then one more. */
  const passes = async () => {
    await Promise.all([app.scheduler.tick(), app.scheduler.tick()]);
    await app.scheduler.tick();
  };
  const settle = () => new Promise((r) => setTimeout(r, 500));

  it('a refused renewal → payment_failed with the paid tier and its limits kept, the grace end and next retry announced; nothing more until the retry is due', async () => {
    clock.set(at(1000));
    const mark = payments.mark();
    await passes();
    for (const name of ['ann', 'bob', 'cat', 'dan']) await processed(ds, await payments.failed(await payments.charge(subs[name]!, mark), 'card_declined'));
    const ann = await subOf(users.ann!);
    expect(ann).toMatchObject({ tier: 'gold', status: 'payment_failed', currentPeriodEnd: E.toISOString(), graceEndsAt: iso(7 * DAY), pendingChange: { tier: 'gold', status: 'payment_failed', failureReason: 'card_declined' } });
    expect(ann.usage.find((u) => u.resource === 'stories')).toMatchObject({ limit: 30 });
    expect((await paymentFailed('ann', 1)).envelope.data).toMatchObject({ requestedTier: 'gold', currentTier: 'gold', reason: 'card_declined', attempt: 1, nextRetryAt: iso(DAY), graceEndsAt: iso(7 * DAY) });
    expect(eventsOf('ann', 'cancelled')).toHaveLength(0);

    const again = payments.mark();
    await passes();
    await settle();
    for (const name of ['ann', 'bob', 'cat', 'dan']) expect(chargesSince(again, name)).toHaveLength(0);
  });

  it('a plan change in the grace period charges the full price for the unpaid period from where it started, and ends the dunning', async () => {
    const mark = payments.mark();
    const { subscription } = await app.client.changeSubscription({ tierId: 'silver', billingCycle: 'monthly', paymentMethod: { token: 'tok_visa' } }, as(users.cat!));
    expect(subscription).toMatchObject({ tier: 'gold', status: 'payment_failed', pendingChange: { tier: 'silver', status: 'payment_pending' } });
    const cmd = await payments.charge(subs.cat!, mark);
    expect(cmd.envelope.data.amountMinor).toBe('999');
    await processed(ds, await payments.processed(cmd));
    expect(await subOf(users.cat!)).toMatchObject({ tier: 'silver', status: 'active', currentPeriodStart: E.toISOString(), currentPeriodEnd: periodEnd(E, 'monthly').toISOString(), graceEndsAt: '' });
  });

  it('cancelling in the grace period stops the retries: back to free at the next pass (user_request), from the old period end', async () => {
    const cancelled = (await app.client.cancelSubscription({}, as(users.dan!))).subscription!;
    expect(cancelled).toMatchObject({ tier: 'gold', cancelAtPeriodEnd: true });
    await app.scheduler.tick();
    expect(await subOf(users.dan!)).toMatchObject({ tier: 'free', status: 'active', currentPeriodStart: E.toISOString(), graceEndsAt: '' });
    expect((await events.waitFor((e) => e.envelope.subject === subs.dan && e.envelope.type === SUBSCRIPTION_EVENT('cancelled'))).envelope.data).toMatchObject({ tier: 'gold', reason: 'user_request' });
  });

  it('retry day 1: one charge per attempt under its own key, however many passes; a success renews from the original period end, once', async () => {
    clock.set(at(DAY + 1000));
    const mark = payments.mark();
    await passes();
    await settle();
    expect(chargesSince(mark, 'ann')).toHaveLength(1);
    expect(chargesSince(mark, 'bob')).toHaveLength(1);
    expect(chargesSince(mark, 'cat')).toHaveLength(0);
    expect(chargesSince(mark, 'dan')).toHaveLength(0);
    expect(await sagaKeys('ann')).toEqual([`renewal:${subs.ann}:${E.toISOString()}`, `renewal:${subs.ann}:${E.toISOString()}:attempt:2`]);

    const annCharge = chargesSince(mark, 'ann')[0]!;
    expect(annCharge.envelope.data.amountMinor).toBe('1999');
    await processed(ds, await payments.processed(annCharge));
    expect(await subOf(users.ann!)).toMatchObject({ tier: 'gold', status: 'active', currentPeriodStart: E.toISOString(), currentPeriodEnd: periodEnd(E, 'monthly').toISOString(), graceEndsAt: '' });
    await events.waitFor((e) => e.envelope.subject === subs.ann && e.envelope.type === SUBSCRIPTION_EVENT('renewed'));
    expect(eventsOf('ann', 'renewed').map((e) => e.envelope.data)).toEqual([
      expect.objectContaining({ tier: 'gold', currentPeriodStart: E.toISOString(), currentPeriodEnd: periodEnd(E, 'monthly').toISOString(), paymentId: annCharge.envelope.data.paymentId }),
    ]);

    await processed(ds, await payments.failed(chargesSince(mark, 'bob')[0]!, 'insufficient_funds'));
    expect((await paymentFailed('bob', 2)).envelope.data).toMatchObject({ currentTier: 'gold', nextRetryAt: iso(3 * DAY), graceEndsAt: iso(7 * DAY) });
  });

  it('every retry refused: the last attempt announces no retry, the tier holds until the grace end, then free (renewal_failed)', async () => {
    for (const [day, attempt] of [
      [3, 3],
      [5, 4],
    ] as const) {
      clock.set(at(day * DAY + 1000));
      const mark = payments.mark();
      await passes();
      await processed(ds, await payments.failed(await payments.charge(subs.bob!, mark), 'card_declined'));
      await paymentFailed('bob', attempt);
    }
    const last = (await paymentFailed('bob', 4)).envelope.data as Record<string, unknown>;
    expect(last).toMatchObject({ currentTier: 'gold', graceEndsAt: iso(7 * DAY) });
    expect(last.nextRetryAt).toBeUndefined();

    clock.set(at(6 * DAY + 23 * 3_600_000));
    const mark = payments.mark();
    await passes();
    await settle();
    expect(chargesSince(mark, 'bob')).toHaveLength(0);
    expect(await subOf(users.bob!)).toMatchObject({ tier: 'gold', status: 'payment_failed' });

    clock.set(at(7 * DAY));
    await passes();
    expect(await subOf(users.bob!)).toMatchObject({ tier: 'free', status: 'active', currentPeriodStart: E.toISOString(), graceEndsAt: '' });
    const cancelled = await events.waitFor((e) => e.envelope.subject === subs.bob && e.envelope.type === SUBSCRIPTION_EVENT('cancelled'));
    expect(cancelled.envelope.data).toMatchObject({ tier: 'gold', reason: 'renewal_failed', effectiveAt: E.toISOString() });
    const key = `renewal:${subs.bob}:${E.toISOString()}`;
    expect(await sagaKeys('bob')).toEqual([key, `${key}:attempt:2`, `${key}:attempt:3`, `${key}:attempt:4`]);
    const outbox: Array<{ n: string }> = await ds.query(`SELECT count(*) AS n FROM domain_events WHERE type = $1 AND data->>'subscriptionId' = $2`, [CHARGE, subs.bob]);
    expect(Number(outbox[0]!.n)).toBe(5); // the first purchase and four renewal attempts
  });
});
