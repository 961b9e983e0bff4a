import { Inject } from '@nestjs/common';
import { requireUserId } from '../caller.js';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { SUBSCRIPTION_UNIT_OF_WORK, type SubscriptionUnitOfWork } from '../ports/index.js';
import { UsageService } from '../usage.js';

/** Counted use (story's StoryCreated): +amount committed in the window containing `at`, never refused. */
export class CountUsageCommand extends Command<void> {
  constructor(
    readonly userId: string,
    readonly resource: 'stories' | 'narrations' | 'videos',
    readonly at: Date,
    readonly amount = 1,
  ) {
    super();
  }
}

@CommandHandler(CountUsageCommand)
export class CountUsageHandler implements ICommandHandler<CountUsageCommand> {
  constructor(
    @Inject(SUBSCRIPTION_UNIT_OF_WORK) private readonly uow: SubscriptionUnitOfWork,
    @Inject(UsageService) private readonly usage: UsageService,
  ) {}

  execute(command: CountUsageCommand): Promise<void> {
    requireUserId(command.userId);
    return this.uow.run((repos) => this.usage.count(repos, command.userId, command.resource, command.at, command.amount));
  }
}
