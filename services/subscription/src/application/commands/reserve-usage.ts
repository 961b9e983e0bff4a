import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { SUBSCRIPTION_UNIT_OF_WORK, type SubscriptionUnitOfWork } from '../ports/index.js';
import { UsageService, type ReserveUsageInput } from '../usage.js';

/** ReserveUsage (a saga of another context): hold `amount` if it fits; answered UsageReserved or QuotaExceeded. */
export class ReserveUsageCommand extends Command<void> {
  constructor(readonly input: ReserveUsageInput) {
    super();
  }
}

@CommandHandler(ReserveUsageCommand)
export class ReserveUsageHandler implements ICommandHandler<ReserveUsageCommand> {
  constructor(
    @Inject(SUBSCRIPTION_UNIT_OF_WORK) private readonly uow: SubscriptionUnitOfWork,
    @Inject(UsageService) private readonly usage: UsageService,
  ) {}

  execute(command: ReserveUsageCommand): Promise<void> {
    return this.uow.run((repos) => this.usage.reserve(repos, command.input));
  }
}
