import { CLOCK, type Clock } from '@storytelling/kernel';
import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { Caller } from '@storytelling/platform';
import { SubscriptionNotFoundError } from '../../domain/index.js';
import { subjectOf } from '../caller.js';
import { currentUsage } from '../current-usage.js';
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
    const repos = this.uow.reader;
    const sub = await repos.subscriptions.findByUser(subject);
    if (!sub) throw new SubscriptionNotFoundError();
    return toSubscriptionView(sub, await currentUsage(repos, sub, this.clock));
  }
}
