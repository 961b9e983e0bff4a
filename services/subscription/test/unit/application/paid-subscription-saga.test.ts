import { paymentsCommands, paymentsEvents } from '@storytelling/contracts';
import { FixedClock, uuidv7 } from '@storytelling/kernel';
import type { SagaStarter } from '@storytelling/platform';
import { sagaTest, type SagaTest } from '@storytelling/testing';
import { paidSubscriptionSaga, startPaidSubscription, type PaidSubscriptionDeps, type PaidSubscriptionState } from '../../../src/application/index.js';
import { Subscription } from '../../../src/domain/index.js';
import { SETTINGS, TIERS, inMemorySubscriptionUnitOfWork, type Tables } from '../../support/in-memory.js';

// The paid-subscription saga against in-memory repositories and the in-memory saga port: every
// path of its spec (charge → activate; refusal; activation impossible → refund; a charge without
// an answer; a refund that never comes), no PostgreSQL, no Kafka.

const USER = '0190d4a0-0000-7000-8000-0000000000a1';
const T0 = new Date('2026-03-01T10:00:00Z');
const gold = TIERS.find((t) => t.id === 'gold')!;

interface World {
  t: SagaTest<PaidSubscriptionState, PaidSubscriptionDeps>;
  tables: () => Tables;
  subscription: () => Subscription;
  charge: paymentsCommands.ChargePayment;
}

async function world(kind: 'change' | 'renewal' = 'change'): Promise<World> {
  const clock = new FixedClock(T0);
  const uow = inMemorySubscriptionUnitOfWork(clock);
  await uow.run((repos) => repos.subscriptions.addIfAbsent(Subscription.createFree(uuidv7(), USER, T0, clock)));
  const deps: PaidSubscriptionDeps = { repos: uow.reader, settings: SETTINGS };
  const t = sagaTest(paidSubscriptionSaga, deps, clock);
  const sagas: SagaStarter = { start: (_definition, input) => t.start(input as never) as never };
  const sub = (await uow.reader.subscriptions.findByUser(USER))!;
  await startPaidSubscription(sagas, uow.reader, sub, {
    kind,
    tier: gold,
    cycle: 'monthly',
    amountMinor: 1999,
    currency: 'USD',
    periodStart: T0,
    periodEnd: new Date('2026-04-01T10:00:00Z'),
    paymentMethod: 'tok_visa',
  });
  const charge = t.expectCommand(paymentsCommands.ChargePayment);
  return { t, tables: () => uow.tables, subscription: () => Subscription.rehydrate(structuredClone([...uow.tables.subscriptions.values()][0]!.state), 1, clock), charge };
}

const processed = (c: paymentsCommands.ChargePayment): paymentsEvents.PaymentProcessed =>
  paymentsEvents.PaymentProcessed.fromJSON({ paymentId: c.paymentId, userId: c.userId, subscriptionId: c.subscriptionId, amountMinor: c.amountMinor, currency: c.currency, provider: 'sandbox', sagaId: c.sagaId });
const failed = (c: paymentsCommands.ChargePayment, reason: string): paymentsEvents.PaymentFailed =>
  paymentsEvents.PaymentFailed.fromJSON({ paymentId: c.paymentId, userId: c.userId, subscriptionId: c.subscriptionId, amountMinor: c.amountMinor, currency: c.currency, provider: 'sandbox', reason, sagaId: c.sagaId });
const refunded = (c: paymentsCommands.ChargePayment): paymentsEvents.PaymentRefunded =>
  paymentsEvents.PaymentRefunded.fromJSON({ paymentId: c.paymentId, userId: c.userId, subscriptionId: c.subscriptionId, amountMinor: c.amountMinor, currency: c.currency, provider: 'sandbox', sagaId: c.sagaId });

describe('paid-subscription saga (unit)', () => {
  it('charges what the change costs, marks the change payment_pending, and waits with a deadline', async () => {
    const { t, subscription, charge } = await world();
    expect(charge).toMatchObject({ sagaId: t.saga.id, userId: USER, amountMinor: '1999', currency: 'USD', paymentMethod: 'tok_visa', description: 'Gold (monthly)' });
    expect(subscription().state.pendingChange).toMatchObject({ tier: 'gold', status: 'payment_pending', sagaId: t.saga.id });
    t.expectStatus('running', 'charge');
    expect(t.saga.deadlineAt).toEqual(new Date(T0.getTime() + SETTINGS.chargeTimeoutMs));
  });

  it('PaymentProcessed → the tier is activated and the saga completes', async () => {
    const { t, subscription, charge } = await world();
    await t.reply(paymentsEvents.PaymentProcessed, processed(charge));
    t.expectStatus('completed', 'activate');
    t.expectNoCommand();
    expect(subscription().state).toMatchObject({ tier: 'gold', status: 'active', pendingChange: null });
    expect(t.log).toEqual(['charge:started', 'charge:completed', 'activate:completed']);
  });

  it('a reply about another payment changes nothing', async () => {
    const { t, charge } = await world();
    await t.reply(paymentsEvents.PaymentProcessed, { ...processed(charge), paymentId: uuidv7() });
    t.expectStatus('running', 'charge');
    t.expectNoCommand();
  });

  it('PaymentFailed → the change is marked failed with the reason; nothing to undo', async () => {
    const { t, subscription, charge } = await world();
    await t.reply(paymentsEvents.PaymentFailed, failed(charge, 'card_declined'));
    t.expectStatus('failed');
    t.expectNoCommand();
    expect(subscription().state).toMatchObject({ tier: 'free', pendingChange: { tier: 'gold', status: 'payment_failed', failureReason: 'card_declined' } });
    expect(t.port.steps.at(-1)).toMatchObject({ name: 'charge', status: 'failed', error: 'card_declined' });
  });

  it('a refused renewal enters dunning instead', async () => {
    const { t, subscription, charge } = await world('renewal');
    await t.reply(paymentsEvents.PaymentFailed, failed(charge, 'insufficient_funds'));
    t.expectStatus('failed');
    expect(subscription().state.dunning).toMatchObject({ failedAttempts: 1 });
  });

  it('activation no longer possible after the charge → RefundPayment, then compensated on PaymentRefunded', async () => {
    const { t, tables, charge } = await world();
    // The subscription moved on meanwhile (e.g. the account was deactivated): it no longer waits for this payment.
    const row = [...tables().subscriptions.values()][0]!;
    row.state.pendingChange = null;
    await t.reply(paymentsEvents.PaymentProcessed, processed(charge));
    const refund = t.expectCommand(paymentsCommands.RefundPayment);
    expect(refund).toEqual({ sagaId: t.saga.id, paymentId: charge.paymentId, amountMinor: '0', reason: 'activation_failed' });
    t.expectStatus('compensating', 'refund');
    await t.reply(paymentsEvents.PaymentRefunded, refunded(charge));
    t.expectStatus('compensated');
    expect(t.log.slice(-2)).toEqual(['refund:started', 'refund:completed']);
  });

  it('a charge without an answer times out: payment_timeout, no blind refund; a late success is refunded', async () => {
    const { t, subscription, charge } = await world();
    await t.timeout();
    t.expectStatus('compensating', 'refund');
    t.expectNoCommand();
    expect(subscription().state.pendingChange).toMatchObject({ status: 'payment_failed', failureReason: 'payment_timeout' });
    await t.reply(paymentsEvents.PaymentProcessed, processed(charge));
    expect(t.expectCommand(paymentsCommands.RefundPayment)).toMatchObject({ paymentId: charge.paymentId, amountMinor: '0' });
    await t.reply(paymentsEvents.PaymentProcessed, processed(charge)); // a redelivered success is not refunded twice
    t.expectNoCommand();
    await t.reply(paymentsEvents.PaymentRefunded, refunded(charge));
    t.expectStatus('compensated');
    expect(subscription().state.tier).toBe('free');
  });

  it('a charge that times out and then fails late ends compensated without a refund', async () => {
    const { t, charge } = await world();
    await t.timeout();
    await t.reply(paymentsEvents.PaymentFailed, failed(charge, 'card_declined'));
    t.expectStatus('compensated');
    t.expectNoCommand();
  });

  it('a timed-out charge that never reports an outcome fails the saga for an operator', async () => {
    const { t } = await world();
    await t.timeout();
    await t.timeout();
    t.expectStatus('failed');
    expect(t.port.steps.at(-1)).toMatchObject({ name: 'refund', status: 'timed_out', error: 'the timed-out step never reported an outcome' });
  });

  it('a refund never confirmed fails the saga for an operator', async () => {
    const { t, tables, charge } = await world();
    [...tables().subscriptions.values()][0]!.state.pendingChange = null;
    await t.reply(paymentsEvents.PaymentProcessed, processed(charge));
    t.expectCommand(paymentsCommands.RefundPayment);
    await t.timeout();
    t.expectStatus('failed');
    expect(t.port.steps.at(-1)).toMatchObject({ name: 'refund', status: 'timed_out', error: 'compensation not confirmed before the deadline' });
  });
});
