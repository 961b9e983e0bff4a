import { CLOCK, type Clock } from '@storytelling/kernel';
import { Inject } from '@nestjs/common';
import { requireUserId } from '../caller.js';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { Subscription } from '../../domain/index.js';
import { SUBSCRIPTION_UNIT_OF_WORK, type SubscriptionUnitOfWork } from '../ports/index.js';

/** A user registered (identity's UserRegistered). @returns whether a subscription was created. */
export class StartFreeSubscriptionCommand extends Command<boolean> {
  constructor(
    readonly subscriptionId: string,
    readonly userId: string,
    readonly registeredAt: Date,
  ) {
    super();
  }
}

/** An active free subscription, once per user (later deliveries change nothing). */
@CommandHandler(StartFreeSubscriptionCommand)
export class StartFreeSubscriptionHandler implements ICommandHandler<StartFreeSubscriptionCommand> {
  constructor(
    @Inject(SUBSCRIPTION_UNIT_OF_WORK) private readonly uow: SubscriptionUnitOfWork,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  execute(command: StartFreeSubscriptionCommand): Promise<boolean> {
    requireUserId(command.userId);
    return this.uow.run((repos) => repos.subscriptions.addIfAbsent(Subscription.createFree(command.subscriptionId, command.userId, command.registeredAt, this.clock)));
  }
}
