import { uuidv7, type Clock } from '@storytelling/kernel';
import { getLogger, type SagaInstance } from '@storytelling/platform';
import { type Activation, type BillingCycle, type Subscription, type Tier } from '../../domain/index.js';
import type { SubscriptionRepositories, SubscriptionSettings } from '../ports/index.js';

export const PAID_SUBSCRIPTION_SAGA = 'paid-subscription';

export const PaymentCommandTypes = {
  charge: 'storytelling.payments.payment.charge.v1',
  refund: 'storytelling.payments.payment.refund.v1',
} as const;
export const PAYMENTS_COMMANDS_TOPIC = 'payments.commands';

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
  refundRequested?: boolean;
  failureReason?: string;
}

type Saga = SagaInstance<PaidSubscriptionState>;

export interface PaymentOutcome {
  paymentId: string;
  reason?: string;
}

/**
 * The paid-subscription saga (ARCHITECTURE.md §4): charge (ChargePayment on payments.commands)
 * → on PaymentProcessed activate the tier (or the next period), on PaymentFailed leave the user
 * where they were; if activation is no longer possible after a successful charge (account
 * deactivated, a newer change, the deadline passed) compensate with RefundPayment. Every method
 * runs inside the caller's transaction: saga row, subscription row and outbox commit together.
 */
export class PaidSubscriptionSaga {
  private readonly log = getLogger('paid-subscription-saga');

  constructor(
    private readonly settings: SubscriptionSettings,
    private readonly clock: Clock,
  ) {}

  /** Starts the charge for a change (new tier / upgrade) or a renewal; the subscription is marked payment_pending. */
  async begin(
    repos: SubscriptionRepositories,
    sub: Subscription,
    input: { kind: 'change' | 'renewal'; tier: Tier; cycle: BillingCycle; amountMinor: number; currency: string; periodStart: Date; periodEnd: Date; paymentMethod: string; key?: string },
  ): Promise<Saga> {
    const now = this.clock.now();
    const paymentId = uuidv7();
    const state: PaidSubscriptionState = {
      subscriptionId: sub.id,
      userId: sub.userId,
      kind: input.kind,
      fromTier: sub.state.tier,
      tier: input.tier.id,
      billingCycle: input.cycle,
      periodStart: input.periodStart.toISOString(),
      periodEnd: input.periodEnd.toISOString(),
      paymentId,
      amountMinor: input.amountMinor,
      currency: input.currency,
      paymentMethod: input.paymentMethod,
    };
    const saga = await repos.sagas.start<PaidSubscriptionState>({
      type: PAID_SUBSCRIPTION_SAGA,
      step: 'charge',
      state,
      deadlineAt: new Date(now.getTime() + this.settings.chargeTimeoutMs),
      ...(input.key ? { key: input.key } : {}),
    });
    if (input.kind === 'renewal') sub.beginRenewal(input.tier.id, input.cycle, saga.id);
    else sub.beginPayment(input.tier.id, input.cycle, saga.id, input.paymentMethod);
    await repos.subscriptions.save(sub);
    await repos.sagas.send(saga, {
      topic: PAYMENTS_COMMANDS_TOPIC,
      type: PaymentCommandTypes.charge,
      data: {
        sagaId: saga.id,
        paymentId,
        userId: sub.userId,
        subscriptionId: sub.id,
        amountMinor: String(input.amountMinor),
        currency: input.currency,
        paymentMethod: input.paymentMethod,
        description: `${input.tier.name} (${input.cycle})${input.kind === 'renewal' ? ' renewal' : ''}`,
      },
    });
    return saga;
  }

  async onPaymentProcessed(repos: SubscriptionRepositories, saga: Saga, outcome: PaymentOutcome): Promise<void> {
    if (outcome.paymentId !== saga.state.paymentId) return this.ignore(saga, 'PaymentProcessed for another payment');
    if (saga.status === 'running' && saga.step === 'charge') {
      const sub = await repos.subscriptions.findById(saga.state.subscriptionId, { lock: true });
      if (!sub || !sub.awaits(saga.id)) {
        return this.compensate(repos, saga, sub ? 'the subscription no longer waits for this payment' : 'subscription gone', 'activation_failed');
      }
      const [from, to] = await Promise.all([repos.tiers.get(sub.state.tier), repos.tiers.get(saga.state.tier)]);
      if (!from || !to) return this.compensate(repos, saga, 'tier no longer exists', 'activation_failed');
      const activation: Activation = {
        tier: to.id,
        billingCycle: saga.state.billingCycle,
        periodStart: new Date(saga.state.periodStart),
        periodEnd: new Date(saga.state.periodEnd),
        paymentId: saga.state.paymentId,
        amountMinor: saga.state.amountMinor,
        currency: saga.state.currency,
        renewal: saga.state.kind === 'renewal',
      };
      sub.activate(activation, from, to);
      await repos.subscriptions.save(sub);
      const charged = await repos.sagas.update(saga, { step: 'activate', log: { name: 'charge', status: 'completed' } });
      await repos.sagas.update(charged, { status: 'completed', log: { name: 'activate', status: 'completed' } });
      return;
    }
    // The charge went through after we gave up on it (deadline): give the money back once.
    if (saga.status === 'compensating' && !saga.state.refundRequested) return this.compensate(repos, saga, 'charge succeeded after the saga gave up', 'activation_failed');
    return this.ignore(saga, 'PaymentProcessed in a state that needs nothing');
  }

  async onPaymentFailed(repos: SubscriptionRepositories, saga: Saga, outcome: PaymentOutcome): Promise<void> {
    if (outcome.paymentId !== saga.state.paymentId) return this.ignore(saga, 'PaymentFailed for another payment');
    const reason = outcome.reason || 'payment_failed';
    if (saga.status === 'running' && saga.step === 'charge') {
      const sub = await repos.subscriptions.findById(saga.state.subscriptionId, { lock: true });
      if (sub) {
        if (saga.state.kind === 'renewal') sub.renewalFailed(saga.id, saga.state.paymentId, reason, this.settings.dunning);
        else sub.paymentFailed(saga.id, saga.state.paymentId, reason);
        await repos.subscriptions.save(sub);
      }
      await repos.sagas.update(saga, { status: 'failed', state: { ...saga.state, failureReason: reason }, log: { name: 'charge', status: 'failed', error: reason } });
      return;
    }
    if (saga.status === 'compensating') {
      // Nothing was charged: there is nothing to refund.
      await repos.sagas.update(saga, { status: 'compensated', log: { name: 'refund', status: 'compensated', error: `charge failed (${reason}); nothing to refund` } });
      return;
    }
    return this.ignore(saga, 'PaymentFailed in a state that needs nothing');
  }

  async onPaymentRefunded(repos: SubscriptionRepositories, saga: Saga, outcome: PaymentOutcome): Promise<void> {
    if (outcome.paymentId !== saga.state.paymentId) return this.ignore(saga, 'PaymentRefunded for another payment');
    if (saga.status !== 'compensating') return this.ignore(saga, 'PaymentRefunded outside compensation');
    await repos.sagas.update(saga, { status: 'compensated', log: { name: 'refund', status: 'completed' } });
  }

  /** A step passed its deadline: a charge without an answer is abandoned (refunded only if it later succeeds); an unanswered refund fails the saga for an operator. */
  async onDeadline(repos: SubscriptionRepositories, saga: Saga): Promise<void> {
    if (saga.status === 'running' && saga.step === 'charge') {
      const sub = await repos.subscriptions.findById(saga.state.subscriptionId, { lock: true });
      if (sub) {
        if (saga.state.kind === 'renewal') sub.renewalFailed(saga.id, saga.state.paymentId, 'payment_timeout', this.settings.dunning);
        else sub.paymentFailed(saga.id, saga.state.paymentId, 'payment_timeout');
        await repos.subscriptions.save(sub);
      }
      // Do not refund blindly: payments may never have seen the charge, and a refund of an unknown
      // payment has nothing to act on. Wait for the charge's late outcome instead: PaymentProcessed
      // then triggers the refund (onPaymentProcessed), PaymentFailed ends the saga compensated.
      await repos.sagas.update(saga, {
        status: 'compensating',
        step: 'refund',
        deadlineAt: new Date(this.clock.now().getTime() + this.settings.refundTimeoutMs),
        log: { name: 'charge', status: 'timed_out', error: 'no answer from payments before the deadline; a late charge will be refunded' },
      });
      return;
    }
    if (saga.status === 'compensating') {
      const error = saga.state.refundRequested ? 'refund not confirmed before the deadline' : 'the abandoned charge never reported an outcome';
      await repos.sagas.update(saga, { status: 'failed', log: { name: 'refund', status: 'timed_out', error } });
    }
  }

  private async compensate(repos: SubscriptionRepositories, saga: Saga, why: string, reason: string): Promise<void> {
    this.log.warn({ sagaId: saga.id, paymentId: saga.state.paymentId, why }, 'paid-subscription saga compensates: refund');
    const next = await repos.sagas.update(saga, {
      status: 'compensating',
      step: 'refund',
      state: { ...saga.state, refundRequested: true },
      deadlineAt: new Date(this.clock.now().getTime() + this.settings.refundTimeoutMs),
      log: { name: 'refund', status: 'started', error: why },
    });
    await repos.sagas.send(next, {
      topic: PAYMENTS_COMMANDS_TOPIC,
      type: PaymentCommandTypes.refund,
      data: { sagaId: saga.id, paymentId: saga.state.paymentId, amountMinor: '0', reason },
    });
  }

  private ignore(saga: Saga, why: string): void {
    this.log.debug({ sagaId: saga.id, status: saga.status, step: saga.step }, why);
  }
}

