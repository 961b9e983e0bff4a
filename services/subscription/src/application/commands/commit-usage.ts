import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { SUBSCRIPTION_UNIT_OF_WORK, type SubscriptionUnitOfWork } from '../ports/index.js';
import { UsageService } from '../usage.js';

/** CommitUsage: the held amount is used (UsageCommitted). */
export class CommitUsageCommand extends Command<void> {
  constructor(readonly reservationId: string) {
    super();
  }
}

@CommandHandler(CommitUsageCommand)
export class CommitUsageHandler implements ICommandHandler<CommitUsageCommand> {
  constructor(
    @Inject(SUBSCRIPTION_UNIT_OF_WORK) private readonly uow: SubscriptionUnitOfWork,
    @Inject(UsageService) private readonly usage: UsageService,
  ) {}

  execute(command: CommitUsageCommand): Promise<void> {
    return this.uow.run((repos) => this.usage.commit(repos, command.reservationId));
  }
}
