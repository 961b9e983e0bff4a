import { Inject } from '@nestjs/common';
import { requireUserId } from '../caller.js';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { SUBSCRIPTION_UNIT_OF_WORK, type SubscriptionUnitOfWork } from '../ports/index.js';

/** A user's account was deactivated (identity's UserDeactivated). */
export class DeactivateSubscriptionCommand extends Command<void> {
  constructor(readonly userId: string) {
    super();
  }
}

/** The subscription ends now (SubscriptionCancelled, reason account_deactivated). */
@CommandHandler(DeactivateSubscriptionCommand)
export class DeactivateSubscriptionHandler implements ICommandHandler<DeactivateSubscriptionCommand> {
  constructor(@Inject(SUBSCRIPTION_UNIT_OF_WORK) private readonly uow: SubscriptionUnitOfWork) {}

  execute(command: DeactivateSubscriptionCommand): Promise<void> {
    requireUserId(command.userId);
    return this.uow.run(async (repos) => {
      const sub = await repos.subscriptions.findByUser(command.userId, { lock: true });
      if (sub?.deactivate()) await repos.subscriptions.save(sub);
    });
  }
}
