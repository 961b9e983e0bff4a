import { CLOCK, type Clock } from '@storytelling/kernel';
import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { Caller } from '@storytelling/platform';
import { currentUsage } from '../current-usage.js';
import { ownSubscription } from '../own-subscription.js';
import { SUBSCRIPTION_UNIT_OF_WORK, type SubscriptionUnitOfWork } from '../ports/index.js';
import { toSubscriptionView, type SubscriptionView } from '../views.js';

export class CancelSubscriptionCommand extends Command<SubscriptionView> {
  constructor(readonly caller: Caller) {
    super();
  }
}

/** POST /subscription/cancel: the paid tier ends at the period end. */
@CommandHandler(CancelSubscriptionCommand)
export class CancelSubscriptionHandler implements ICommandHandler<CancelSubscriptionCommand> {
  constructor(
    @Inject(SUBSCRIPTION_UNIT_OF_WORK) private readonly uow: SubscriptionUnitOfWork,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  execute(command: CancelSubscriptionCommand): Promise<SubscriptionView> {
    return this.uow.run(async (repos) => {
      const sub = await ownSubscription(repos, command.caller.userId, this.clock, { lock: true });
      sub.cancelAtPeriodEnd();
      await repos.subscriptions.save(sub);
      return toSubscriptionView(sub, await currentUsage(repos, sub, this.clock));
    });
  }
}
