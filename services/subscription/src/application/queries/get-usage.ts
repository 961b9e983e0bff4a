import { CLOCK, type Clock } from '@storytelling/kernel';
import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { Caller } from '@storytelling/platform';
import { SubscriptionNotFoundError, usageWindow, type Subscription } from '../../domain/index.js';
import { subjectOf } from '../caller.js';
import { currentUsage } from '../current-usage.js';
import { mayStartOwn, ownSubscription } from '../own-subscription.js';
import { SUBSCRIPTION_UNIT_OF_WORK, type SubscriptionRepositories, type SubscriptionUnitOfWork } from '../ports/index.js';
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
    const answer = async (repos: SubscriptionRepositories, sub: Subscription): Promise<UsageAnswer> => {
      const window = usageWindow(sub.state.currentPeriodStart, this.clock.now());
      return { subscriptionId: sub.id, tier: sub.state.tier, window, usage: await currentUsage(repos, sub, this.clock) };
    };
    const sub = await this.uow.reader.subscriptions.findByUser(subject);
    if (sub) return answer(this.uow.reader, sub);
    if (!mayStartOwn(query.caller, subject)) throw new SubscriptionNotFoundError();
    return this.uow.run(async (repos) => answer(repos, await ownSubscription(repos, subject, this.clock)));
  }
}
