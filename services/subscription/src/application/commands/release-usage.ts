import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { SUBSCRIPTION_UNIT_OF_WORK, type SubscriptionUnitOfWork } from '../ports/index.js';
import { UsageService } from '../usage.js';

/** ReleaseUsage: the held amount is given back (UsageReleased). */
export class ReleaseUsageCommand extends Command<void> {
  constructor(readonly reservationId: string) {
    super();
  }
}

@CommandHandler(ReleaseUsageCommand)
export class ReleaseUsageHandler implements ICommandHandler<ReleaseUsageCommand> {
  constructor(
    @Inject(SUBSCRIPTION_UNIT_OF_WORK) private readonly uow: SubscriptionUnitOfWork,
    @Inject(UsageService) private readonly usage: UsageService,
  ) {}

  execute(command: ReleaseUsageCommand): Promise<void> {
    return this.uow.run((repos) => this.usage.release(repos, command.reservationId));
  }
}
