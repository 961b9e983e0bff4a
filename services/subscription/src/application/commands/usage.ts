import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { InTransaction } from '../in-transaction.js';
import { SUBSCRIPTION_UNIT_OF_WORK, type SubscriptionRepositories, type SubscriptionUnitOfWork } from '../ports/index.js';
import { UsageService, type ReserveUsageInput } from '../usage.js';

// The usage commands arrive on subscription.commands (and StoryCreated for counted use); their
// rules live in UsageService, shared with the scheduler's expiry sweep.

/** ReserveUsage: hold `amount` if it fits the limit; answered with UsageReserved or QuotaExceeded. */
export class ReserveUsageCommand extends Command<void> {
  constructor(readonly input: ReserveUsageInput) {
    super();
  }
}

@CommandHandler(ReserveUsageCommand)
export class ReserveUsageHandler implements ICommandHandler<ReserveUsageCommand>, InTransaction<ReserveUsageCommand> {
  constructor(
    @Inject(SUBSCRIPTION_UNIT_OF_WORK) private readonly uow: SubscriptionUnitOfWork,
    @Inject(UsageService) private readonly usage: UsageService,
  ) {}

  execute(command: ReserveUsageCommand): Promise<void> {
    return this.uow.run((repos) => this.executeIn(repos, command));
  }

  executeIn(repos: SubscriptionRepositories, command: ReserveUsageCommand): Promise<void> {
    return this.usage.reserve(repos, command.input);
  }
}

/** CommitUsage: the held amount is used (UsageCommitted). */
export class CommitUsageCommand extends Command<void> {
  constructor(readonly reservationId: unknown) {
    super();
  }
}

@CommandHandler(CommitUsageCommand)
export class CommitUsageHandler implements ICommandHandler<CommitUsageCommand>, InTransaction<CommitUsageCommand> {
  constructor(
    @Inject(SUBSCRIPTION_UNIT_OF_WORK) private readonly uow: SubscriptionUnitOfWork,
    @Inject(UsageService) private readonly usage: UsageService,
  ) {}

  execute(command: CommitUsageCommand): Promise<void> {
    return this.uow.run((repos) => this.executeIn(repos, command));
  }

  executeIn(repos: SubscriptionRepositories, command: CommitUsageCommand): Promise<void> {
    return this.usage.commit(repos, command.reservationId);
  }
}

/** ReleaseUsage: the held amount is given back (UsageReleased). */
export class ReleaseUsageCommand extends Command<void> {
  constructor(readonly reservationId: unknown) {
    super();
  }
}

@CommandHandler(ReleaseUsageCommand)
export class ReleaseUsageHandler implements ICommandHandler<ReleaseUsageCommand>, InTransaction<ReleaseUsageCommand> {
  constructor(
    @Inject(SUBSCRIPTION_UNIT_OF_WORK) private readonly uow: SubscriptionUnitOfWork,
    @Inject(UsageService) private readonly usage: UsageService,
  ) {}

  execute(command: ReleaseUsageCommand): Promise<void> {
    return this.uow.run((repos) => this.executeIn(repos, command));
  }

  executeIn(repos: SubscriptionRepositories, command: ReleaseUsageCommand): Promise<void> {
    return this.usage.release(repos, command.reservationId);
  }
}

/** Counted use (StoryCreated): +amount committed in the window containing `at`, never refused. */
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
export class CountUsageHandler implements ICommandHandler<CountUsageCommand>, InTransaction<CountUsageCommand> {
  constructor(
    @Inject(SUBSCRIPTION_UNIT_OF_WORK) private readonly uow: SubscriptionUnitOfWork,
    @Inject(UsageService) private readonly usage: UsageService,
  ) {}

  execute(command: CountUsageCommand): Promise<void> {
    return this.uow.run((repos) => this.executeIn(repos, command));
  }

  executeIn(repos: SubscriptionRepositories, command: CountUsageCommand): Promise<void> {
    return this.usage.count(repos, command.userId, command.resource, command.at, command.amount);
  }
}
