import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { SUBSCRIPTION_UNIT_OF_WORK, type SubscriptionUnitOfWork } from '../ports/index.js';
import { UsageService } from '../usage.js';

/** Reservations past their expiry are released (UsageReleased, reason expired). @returns how many. */
export class ExpireReservationsCommand extends Command<number> {}

@CommandHandler(ExpireReservationsCommand)
export class ExpireReservationsHandler implements ICommandHandler<ExpireReservationsCommand> {
  constructor(
    @Inject(SUBSCRIPTION_UNIT_OF_WORK) private readonly uow: SubscriptionUnitOfWork,
    @Inject(UsageService) private readonly usage: UsageService,
  ) {}

  execute(): Promise<number> {
    return this.uow.run((repos) => this.usage.sweepExpired(repos));
  }
}
