import { ValidationError, type Clock } from '@storytelling/kernel';
import {
  Subscription,
  SubscriptionNotFoundError,
  TierNotFoundError,
  addMonths,
  isBillingCycle,
  isUsageResource,
  limitOf,
  fits,
  usageWindow,
  type Tier,
  FREE_TIER,
  UnknownResourceError,
  type Window,
} from '../domain/index.js';
import { subjectOf, type Caller } from './caller.js';
import type { SubscriptionRepositories, SubscriptionUnitOfWork } from './ports/index.js';
import type { PaidSubscriptionSaga } from './saga/paid-subscription-saga.js';
import { toSubscriptionView, usageViews, type ResourceUsageView, type SubscriptionView } from './views.js';

export interface QuotaAnswer {
  allowed: boolean;
  used: number;
  reserved: number;
  limit: number | null;
  tier: string;
  window: Window;
}

export interface UsageAnswer {
  subscriptionId: string;
  tier: string;
  window: Window;
  usage: ResourceUsageView[];
}

/**
 * The subscription use cases behind the gRPC surface and the identity ACL. Writes run in one
 * transaction with the subscription row locked (FOR UPDATE), so the saga, the scheduler and the
 * consumers never race on it.
 */
export class SubscriptionService {
  constructor(
    private readonly uow: SubscriptionUnitOfWork,
    private readonly saga: PaidSubscriptionSaga,
    private readonly clock: Clock,
  ) {}

  listTiers(): Promise<Tier[]> {
    return this.uow.reader.tiers.all();
  }

  /** UserRegistered: an active free subscription, once per user (later deliveries change nothing). */
  async createFree(tx: SubscriptionRepositories, id: string, userId: string, registeredAt: Date): Promise<boolean> {
    return tx.subscriptions.addIfAbsent(Subscription.createFree(id, userId, registeredAt, this.clock));
  }

  /** UserDeactivated: the subscription ends now. */
  async deactivate(tx: SubscriptionRepositories, userId: string): Promise<void> {
    const sub = await tx.subscriptions.findByUser(userId, { lock: true });
    if (sub?.deactivate()) await tx.subscriptions.save(sub);
  }

  async get(caller: Caller, userId?: string): Promise<SubscriptionView> {
    const subject = subjectOf(caller, userId);
    const repos = this.uow.reader;
    const sub = await repos.subscriptions.findByUser(subject);
    if (!sub) throw new SubscriptionNotFoundError();
    return toSubscriptionView(sub, await this.usageOf(repos, sub));
  }

  async usage(caller: Caller, userId?: string): Promise<UsageAnswer> {
    const subject = subjectOf(caller, userId);
    const repos = this.uow.reader;
    const sub = await repos.subscriptions.findByUser(subject);
    if (!sub) throw new SubscriptionNotFoundError();
    const window = usageWindow(sub.state.currentPeriodStart, this.clock.now());
    return { subscriptionId: sub.id, tier: sub.state.tier, window, usage: await this.usageOf(repos, sub) };
  }

  /**
   * committed + open reservations + amount ≤ limit, for the current usage window. A user whose
   * registration has not reached this context yet is answered as free, with a window reaching a
   * month back (a conservative start for callers that count their own records since it).
   */
  async checkQuota(caller: Caller, input: { userId?: string; resource: unknown; amount: unknown }): Promise<QuotaAnswer> {
    const subject = subjectOf(caller, input.userId);
    if (!isUsageResource(input.resource)) throw new UnknownResourceError();
    const amount = input.amount;
    if (typeof amount !== 'number' || !Number.isInteger(amount) || amount < 1) throw new ValidationError('invalid amount', [{ field: 'amount', message: 'must be an integer ≥ 1' }]);
    const repos = this.uow.reader;
    const now = this.clock.now();
    const sub = await repos.subscriptions.findByUser(subject);
    if (!sub) {
      const free = await this.tier(repos, FREE_TIER);
      const limit = limitOf(free.limits, input.resource);
      return { allowed: fits(0, 0, amount, limit), used: 0, reserved: 0, limit, tier: FREE_TIER, window: { start: addMonths(now, -1), end: addMonths(now, 1) } };
    }
    const tier = await this.tier(repos, sub.state.tier);
    const window = usageWindow(sub.state.currentPeriodStart, now);
    const counters = await repos.usage.counters(sub.id, window);
    const { used, reserved } = counters[input.resource];
    const limit = sub.isLive ? limitOf(tier.limits, input.resource) : 0;
    return { allowed: fits(used, reserved, amount, limit), used, reserved, limit, tier: tier.id, window };
  }

  /**
   * POST /subscription: a charge runs the saga (answer: payment_pending); a downgrade or cycle
   * change is scheduled for the period end. Honours the Idempotency-Key (same key and body →
   * the first answer; other body → 409).
   */
  async change(caller: Caller, input: { tierId: unknown; billingCycle: unknown; paymentToken: unknown }): Promise<SubscriptionView> {
    const problems: { field: string; message: string }[] = [];
    if (typeof input.tierId !== 'string' || input.tierId.trim() === '') problems.push({ field: 'tierId', message: 'required' });
    if (!isBillingCycle(input.billingCycle)) problems.push({ field: 'billingCycle', message: 'must be monthly or yearly' });
    const token = typeof input.paymentToken === 'string' ? input.paymentToken.trim() : '';
    if (token === '' || token.length > 255) problems.push({ field: 'paymentMethod.token', message: 'required, at most 255 characters' });
    if (problems.length > 0) throw new ValidationError('invalid subscription change', problems);
    const tierId = (input.tierId as string).trim().toLowerCase();
    const cycle = input.billingCycle as 'monthly' | 'yearly';
    return this.uow.run((repos) =>
      repos.idempotent({ scope: 'subscription.ChangeSubscription', principal: caller.userId, body: { tierId, cycle, token } }, async () => {
        const target = await repos.tiers.get(tierId);
        if (!target) throw new TierNotFoundError();
        const sub = await repos.subscriptions.findByUser(caller.userId, { lock: true });
        if (!sub) throw new SubscriptionNotFoundError();
        const current = await this.tier(repos, sub.state.tier);
        const plan = sub.planChange(current, target, cycle);
        if (plan.kind === 'scheduled') {
          sub.schedule(target.id, cycle);
          await repos.subscriptions.save(sub);
        } else if (plan.amountMinor === 0) {
          // Nothing to charge (an upgrade in the period's last moments, or a credit covering the
          // new cycle): the change applies at once, without a payment.
          sub.activate(
            { tier: target.id, billingCycle: cycle, periodStart: plan.periodStart, periodEnd: plan.periodEnd, paymentId: '', amountMinor: 0, currency: plan.currency, renewal: false },
            current,
            target,
          );
          await repos.subscriptions.save(sub);
        } else {
          await this.saga.begin(repos, sub, {
            kind: 'change',
            tier: target,
            cycle,
            amountMinor: plan.amountMinor,
            currency: plan.currency,
            periodStart: plan.periodStart,
            periodEnd: plan.periodEnd,
            paymentMethod: token,
          });
        }
        return toSubscriptionView(sub, await this.usageOf(repos, sub));
      }),
    ).then(reviveDates);
  }

  /** POST /subscription/cancel: the paid tier ends at the period end. */
  async cancel(caller: Caller): Promise<SubscriptionView> {
    return this.uow.run(async (repos) => {
      const sub = await repos.subscriptions.findByUser(caller.userId, { lock: true });
      if (!sub) throw new SubscriptionNotFoundError();
      sub.cancelAtPeriodEnd();
      await repos.subscriptions.save(sub);
      return toSubscriptionView(sub, await this.usageOf(repos, sub));
    });
  }

  private async usageOf(repos: SubscriptionRepositories, sub: Subscription): Promise<ResourceUsageView[]> {
    const tier = await this.tier(repos, sub.state.tier);
    const window = usageWindow(sub.state.currentPeriodStart, this.clock.now());
    return usageViews(tier, await repos.usage.counters(sub.id, window));
  }

  private async tier(repos: SubscriptionRepositories, id: string): Promise<Tier> {
    const tier = await repos.tiers.get(id);
    if (!tier) throw new TierNotFoundError();
    return tier;
  }
}

/** A replayed idempotent answer comes back from JSON: dates are strings again. */
function reviveDates(view: SubscriptionView): SubscriptionView {
  const date = (d: Date | string) => (d instanceof Date ? d : new Date(d));
  return {
    ...view,
    currentPeriodStart: date(view.currentPeriodStart),
    currentPeriodEnd: date(view.currentPeriodEnd),
    pendingChange: view.pendingChange ? { ...view.pendingChange, effectiveAt: view.pendingChange.effectiveAt ? date(view.pendingChange.effectiveAt) : null } : null,
  };
}
