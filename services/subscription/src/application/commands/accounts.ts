import type { Clock } from '@storytelling/kernel';
import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { Subscription } from '../../domain/index.js';
import type { InTransaction } from '../in-transaction.js';
import { CLOCK, SUBSCRIPTION_UNIT_OF_WORK, type SubscriptionRepositories, type SubscriptionUnitOfWork } from '../ports/index.js';

/** UserRegistered (identity ACL). @returns whether a subscription was created. */
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
export class StartFreeSubscriptionHandler implements ICommandHandler<StartFreeSubscriptionCommand>, InTransaction<StartFreeSubscriptionCommand, boolean> {
  constructor(
    @Inject(SUBSCRIPTION_UNIT_OF_WORK) private readonly uow: SubscriptionUnitOfWork,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  execute(command: StartFreeSubscriptionCommand): Promise<boolean> {
    return this.uow.run((repos) => this.executeIn(repos, command));
  }

  executeIn(repos: SubscriptionRepositories, command: StartFreeSubscriptionCommand): Promise<boolean> {
    return repos.subscriptions.addIfAbsent(Subscription.createFree(command.subscriptionId, command.userId, command.registeredAt, this.clock));
  }
}

/** UserDeactivated (identity ACL). */
export class DeactivateSubscriptionCommand extends Command<void> {
  constructor(readonly userId: string) {
    super();
  }
}

/** The subscription ends now (SubscriptionCancelled, reason account_deactivated). */
@CommandHandler(DeactivateSubscriptionCommand)
export class DeactivateSubscriptionHandler implements ICommandHandler<DeactivateSubscriptionCommand>, InTransaction<DeactivateSubscriptionCommand> {
  constructor(@Inject(SUBSCRIPTION_UNIT_OF_WORK) private readonly uow: SubscriptionUnitOfWork) {}

  execute(command: DeactivateSubscriptionCommand): Promise<void> {
    return this.uow.run((repos) => this.executeIn(repos, command));
  }

  async executeIn(repos: SubscriptionRepositories, command: DeactivateSubscriptionCommand): Promise<void> {
    const sub = await repos.subscriptions.findByUser(command.userId, { lock: true });
    if (sub?.deactivate()) await repos.subscriptions.save(sub);
  }
}
