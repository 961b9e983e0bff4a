import { CLOCK, ValidationError, type Clock } from '@storytelling/kernel';
import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { Caller } from '@storytelling/platform';
import { FREE_TIER, UnknownResourceError, addMonths, fits, isUsageResource, limitOf, usageWindow } from '../../domain/index.js';
import { subjectOf } from '../caller.js';
import { requireTier } from '../current-usage.js';
import { SUBSCRIPTION_UNIT_OF_WORK, type SubscriptionUnitOfWork } from '../ports/index.js';
import type { QuotaAnswer } from '../views.js';

export class CheckQuotaQuery extends Query<QuotaAnswer> {
  constructor(
    readonly caller: Caller,
    readonly input: { userId?: string | undefined; resource: unknown; amount: unknown },
  ) {
    super();
  }
}

/**
 * committed + open reservations + amount ≤ limit, for the current usage window. A user whose
 * registration has not reached this context yet is answered as free, with a window reaching a
 * month back (a conservative start for callers that count their own records since it).
 */
@QueryHandler(CheckQuotaQuery)
export class CheckQuotaHandler implements IQueryHandler<CheckQuotaQuery> {
  constructor(
    @Inject(SUBSCRIPTION_UNIT_OF_WORK) private readonly uow: SubscriptionUnitOfWork,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute(query: CheckQuotaQuery): Promise<QuotaAnswer> {
    const { input } = query;
    const subject = subjectOf(query.caller, input.userId);
    if (!isUsageResource(input.resource)) throw new UnknownResourceError();
    const amount = input.amount;
    if (typeof amount !== 'number' || !Number.isInteger(amount) || amount < 1) throw new ValidationError('invalid amount', [{ field: 'amount', message: 'must be an integer ≥ 1' }]);
    const repos = this.uow.reader;
    const now = this.clock.now();
    const sub = await repos.subscriptions.findByUser(subject);
    if (!sub) {
      const free = await requireTier(repos, FREE_TIER);
      const limit = limitOf(free.limits, input.resource);
      return { allowed: fits(0, 0, amount, limit), used: 0, reserved: 0, limit, tier: FREE_TIER, window: { start: addMonths(now, -1), end: addMonths(now, 1) } };
    }
    const tier = await requireTier(repos, sub.state.tier);
    const window = usageWindow(sub.state.currentPeriodStart, now);
    const counters = await repos.usage.counters(sub.id, window);
    const { used, reserved } = counters[input.resource];
    const limit = sub.isLive ? limitOf(tier.limits, input.resource) : 0;
    return { allowed: fits(used, reserved, amount, limit), used, reserved, limit, tier: tier.id, window };
  }
}
