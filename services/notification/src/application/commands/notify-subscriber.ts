import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { getLogger } from '@storytelling/platform';
import { noticeContent, requireUuid, type Notice } from '../../domain/index.js';
import { NotificationPlanner, type NotifyOutcome } from '../notification-planner.js';
import { NOTIFICATION_UNIT_OF_WORK, type NotificationUnitOfWork } from '../ports/index.js';

/** Billing told a subscriber something (PaymentFailed, SubscriptionActivated, QuotaExceeded: event `sourceEventId`). */
export class NotifySubscriberCommand extends Command<NotifyOutcome> {
  constructor(
    readonly userId: string,
    readonly sourceEventId: string,
    readonly notice: Notice,
  ) {
    super();
  }
}

/**
 * Plans the notice for the subscriber (payment failures are urgent; quota notices are one per
 * user, resource and period: noticeContent). A subscriber identity has not told us about yet is
 * RecipientNotYetKnownError, which the consumer retries; an erased or all-muted one gets nothing.
 */
@CommandHandler(NotifySubscriberCommand)
export class NotifySubscriberHandler implements ICommandHandler<NotifySubscriberCommand> {
  private readonly log = getLogger('notify');

  constructor(
    @Inject(NOTIFICATION_UNIT_OF_WORK) private readonly uow: NotificationUnitOfWork,
    @Inject(NotificationPlanner) private readonly planner: NotificationPlanner,
  ) {}

  async execute(command: NotifySubscriberCommand): Promise<NotifyOutcome> {
    const recipientId = requireUuid('userId', command.userId);
    const { type, sourceKey, data } = noticeContent(recipientId, command.sourceEventId, command.notice);
    const outcome = await this.uow.run((repos) => this.planner.notifyKnown(repos, { recipientId, type, sourceEventId: sourceKey, data }));
    this.log.debug({ eventId: command.sourceEventId, type, outcome }, 'billing notification planned');
    return outcome;
  }
}
