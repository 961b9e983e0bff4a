import { paymentsCommands, paymentsEvents } from '@storytelling/contracts';
import { uuidv7 } from '@storytelling/kernel';
import { Inject, Injectable } from '@nestjs/common';
import { compensate, defineSaga, type LocalOutcome, type SagaBinding, type SagaInstance, type SagaStarter } from '@storytelling/platform';
import type { Activation, BillingCycle, Subscription, Tier } from '../../domain/index.js';
import { SUBSCRIPTION_SETTINGS, SUBSCRIPTION_UNIT_OF_WORK, type SubscriptionRepositories, type SubscriptionSettings, type SubscriptionUnitOfWork } from '../ports/index.js';

const payments = paymentsCommands.participant;

export const PAID_SUBSCRIPTION_SAGA = 'paid-subscription';

/** What the saga remembers (saga_instances.state). Times are ISO strings (jsonb). */
export interface PaidSubscriptionState {
  subscriptionId: string;
  userId: string;
  kind: 'change' | 'renewal';
  fromTier: string;
  tier: string;
  billingCycle: BillingCycle;
  periodStart: string;
  periodEnd: string;
  paymentId: string;
  amountMinor: number;
  currency: string;
  paymentMethod: string;
  description: string;
}

/** What the local steps work with: the repositories of the transaction the step runs in. */
export interface PaidSubscriptionDeps {
  repos: SubscriptionRepositories;
  settings: SubscriptionSettings;
}

type Saga = SagaInstance<PaidSubscriptionState>;

/**
 * The paid-subscription saga (ARCHITECTURE.md §4): charge, then activate.
 * - ChargePayment goes to payments; PaymentProcessed for this payment moves on to activation.
 * - PaymentFailed leaves the user where they were (the change or the renewal is marked failed).
 * - If activation is no longer possible, the charge is compensated with RefundPayment.
 * - A charge unanswered by its deadline is marked failed and refunded only if it later succeeds.
 */
export const paidSubscriptionSaga = defineSaga<PaidSubscriptionState, PaidSubscriptionDeps>(PAID_SUBSCRIPTION_SAGA, (step) => [
  step('charge')
    .invokeParticipant((saga) => payments.chargePayment(chargeOf(saga)))
    .correlate('paymentId', (s) => s.paymentId)
    .onReply(paymentsEvents.PaymentProcessed)
    .failsOn(paymentsEvents.PaymentFailed, (saga, failed, deps) => leaveWhereTheyWere(saga, failed.reason || 'payment_failed', deps))
    .withCompensation('refund', (saga, reason) => payments.refundPayment({ sagaId: saga.id, paymentId: saga.state.paymentId, amountMinor: '0', reason }), paymentsEvents.PaymentRefunded, (d) => d.settings.refundTimeoutMs)
    .deadline((d) => d.settings.chargeTimeoutMs, async (saga, deps) => void (await leaveWhereTheyWere(saga, 'payment_timeout', deps))),
  step('activate').invokeLocal(activate),
]);

function chargeOf(saga: Saga): paymentsCommands.ChargePayment {
  const s = saga.state;
  return {
    sagaId: saga.id,
    paymentId: s.paymentId,
    userId: s.userId,
    subscriptionId: s.subscriptionId,
    amountMinor: String(s.amountMinor),
    currency: s.currency,
    paymentMethod: s.paymentMethod,
    description: s.description,
  };
}

/** The new tier (or the renewed period) takes effect, unless the subscription moved on meanwhile. */
async function activate(saga: Saga, { repos }: PaidSubscriptionDeps): Promise<LocalOutcome> {
  const s = saga.state;
  const sub = await repos.subscriptions.findById(s.subscriptionId, { lock: true });
  if (!sub || !sub.awaits(saga.id)) return compensate('activation_failed', sub ? 'the subscription no longer waits for this payment' : 'subscription gone');
  const [from, to] = await Promise.all([repos.tiers.get(sub.state.tier), repos.tiers.get(s.tier)]);
  if (!from || !to) return compensate('activation_failed', 'tier no longer exists');
  const activation: Activation = {
    tier: to.id,
    billingCycle: s.billingCycle,
    periodStart: new Date(s.periodStart),
    periodEnd: new Date(s.periodEnd),
    paymentId: s.paymentId,
    amountMinor: s.amountMinor,
    currency: s.currency,
    renewal: s.kind === 'renewal',
  };
  sub.activate(activation, from, to);
  await repos.subscriptions.save(sub);
}

/** A refused or unanswered charge: a change is marked failed, a renewal enters dunning (ADR 0018). */
async function leaveWhereTheyWere(saga: Saga, reason: string, { repos, settings }: PaidSubscriptionDeps): Promise<string> {
  const s = saga.state;
  const sub = await repos.subscriptions.findById(s.subscriptionId, { lock: true });
  if (sub) {
    if (s.kind === 'renewal') sub.renewalFailed(saga.id, s.paymentId, reason, settings.dunning);
    else sub.paymentFailed(saga.id, s.paymentId, reason);
    await repos.subscriptions.save(sub);
  }
  return reason;
}

export interface PaidChange {
  kind: 'change' | 'renewal';
  tier: Tier;
  cycle: BillingCycle;
  amountMinor: number;
  currency: string;
  periodStart: Date;
  periodEnd: Date;
  paymentMethod: string;
  /** Business key (renewals: one saga per period and attempt). */
  key?: string;
}

/** Starts the saga for `sub` in the current transaction and marks the subscription payment_pending. */
export async function startPaidSubscription(sagas: SagaStarter, repos: SubscriptionRepositories, sub: Subscription, change: PaidChange): Promise<Saga> {
  const saga = await sagas.start(paidSubscriptionSaga, {
    state: {
      subscriptionId: sub.id,
      userId: sub.userId,
      kind: change.kind,
      fromTier: sub.state.tier,
      tier: change.tier.id,
      billingCycle: change.cycle,
      periodStart: change.periodStart.toISOString(),
      periodEnd: change.periodEnd.toISOString(),
      paymentId: uuidv7(),
      amountMinor: change.amountMinor,
      currency: change.currency,
      paymentMethod: change.paymentMethod,
      description: `${change.tier.name} (${change.cycle})${change.kind === 'renewal' ? ' renewal' : ''}`,
    },
    ...(change.key ? { key: change.key } : {}),
  });
  if (change.kind === 'renewal') sub.beginRenewal(change.tier.id, change.cycle, saga.id);
  else sub.beginPayment(change.tier.id, change.cycle, saga.id, change.paymentMethod);
  await repos.subscriptions.save(sub);
  return saga;
}

/** The saga as this service runs it: its local steps use the repositories of the running transaction. */
@Injectable()
export class PaidSubscriptionSagaBinding implements SagaBinding<PaidSubscriptionState, PaidSubscriptionDeps> {
  readonly definition = paidSubscriptionSaga;

  constructor(
    @Inject(SUBSCRIPTION_UNIT_OF_WORK) private readonly uow: SubscriptionUnitOfWork,
    @Inject(SUBSCRIPTION_SETTINGS) private readonly settings: SubscriptionSettings,
  ) {}

  deps(): PaidSubscriptionDeps {
    return { repos: this.uow.reader, settings: this.settings };
  }
}
