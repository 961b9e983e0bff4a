import { CLOCK, type Clock } from '@storytelling/kernel';
import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { Caller } from '@storytelling/platform';
import { SubscriptionNotFoundError } from '../../domain/index.js';
import { subjectOf } from '../caller.js';
import { currentUsage } from '../current-usage.js';
import { mayStartOwn, ownSubscription } from '../own-subscription.js';
import { SUBSCRIPTION_UNIT_OF_WORK, type SubscriptionUnitOfWork } from '../ports/index.js';
import { toSubscriptionView, type SubscriptionView } from '../views.js';

export class GetSubscriptionQuery extends Query<SubscriptionView> {
  constructor(
    readonly caller: Caller,
    /** Empty: the caller's own (see subjectOf). */
    readonly userId: string | undefined,
  ) {
    super();
  }
}

/** A user's subscription with the current window's usage. */
@QueryHandler(GetSubscriptionQuery)
export class GetSubscriptionHandler implements IQueryHandler<GetSubscriptionQuery> {
  constructor(
    @Inject(SUBSCRIPTION_UNIT_OF_WORK) private readonly uow: SubscriptionUnitOfWork,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute(query: GetSubscriptionQuery): Promise<SubscriptionView> {
    const subject = subjectOf(query.caller, query.userId);
    const sub = await this.uow.reader.subscriptions.findByUser(subject);
    if (sub) return toSubscriptionView(sub, await currentUsage(this.uow.reader, sub, this.clock));
    if (!mayStartOwn(query.caller, subject)) throw new SubscriptionNotFoundError();
    return this.uow.run(async (repos) => {
      const own = await ownSubscription(repos, subject, this.clock);
      return toSubscriptionView(own, await currentUsage(repos, own, this.clock));
    });
  }
}
