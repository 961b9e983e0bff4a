import { CLOCK, type Clock } from '@storytelling/kernel';
import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { Caller } from '@storytelling/platform';
import { SubscriptionNotFoundError, usageWindow } from '../../domain/index.js';
import { subjectOf } from '../caller.js';
import { currentUsage } from '../current-usage.js';
import { SUBSCRIPTION_UNIT_OF_WORK, type SubscriptionUnitOfWork } from '../ports/index.js';
import type { UsageAnswer } from '../views.js';

export class GetUsageQuery extends Query<UsageAnswer> {
  constructor(
    readonly caller: Caller,
    readonly userId: string | undefined,
  ) {
    super();
  }
}

/** A user's counters in the usage window containing now. */
@QueryHandler(GetUsageQuery)
export class GetUsageHandler implements IQueryHandler<GetUsageQuery> {
  constructor(
    @Inject(SUBSCRIPTION_UNIT_OF_WORK) private readonly uow: SubscriptionUnitOfWork,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute(query: GetUsageQuery): Promise<UsageAnswer> {
    const subject = subjectOf(query.caller, query.userId);
    const repos = this.uow.reader;
    const sub = await repos.subscriptions.findByUser(subject);
    if (!sub) throw new SubscriptionNotFoundError();
    const window = usageWindow(sub.state.currentPeriodStart, this.clock.now());
    return { subscriptionId: sub.id, tier: sub.state.tier, window, usage: await currentUsage(repos, sub, this.clock) };
  }
}
