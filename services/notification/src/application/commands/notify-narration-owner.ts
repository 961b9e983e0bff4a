import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { getLogger } from '@storytelling/platform';
import { narrationNoticeContent, requireUuid, type NarrationNotice } from '../../domain/index.js';
import { NotificationPlanner, type NotifyOutcome } from '../notification-planner.js';
import { NOTIFICATION_UNIT_OF_WORK, type NotificationUnitOfWork } from '../ports/index.js';

/** Narration told the owner of a narration how it went (NarrationGenerated, NarrationFailed: event `sourceEventId`). */
export class NotifyNarrationOwnerCommand extends Command<NotifyOutcome> {
  constructor(
    readonly ownerId: string,
    readonly sourceEventId: string,
    readonly notice: NarrationNotice,
  ) {
    super();
  }
}

/**
 * Plans `narration_ready` or `narration_failed` for the owner (email and in-app, by their
 * preferences and quiet hours), once per narration and outcome (narrationNoticeContent): a
 * redelivered or duplicated event finds the notice and writes nothing. An owner identity has not
 * told us about yet is RecipientNotYetKnownError, which the consumer retries; an erased or
 * all-muted one gets nothing.
 */
@CommandHandler(NotifyNarrationOwnerCommand)
export class NotifyNarrationOwnerHandler implements ICommandHandler<NotifyNarrationOwnerCommand> {
  private readonly log = getLogger('notify');

  constructor(
    @Inject(NOTIFICATION_UNIT_OF_WORK) private readonly uow: NotificationUnitOfWork,
    @Inject(NotificationPlanner) private readonly planner: NotificationPlanner,
  ) {}

  async execute(command: NotifyNarrationOwnerCommand): Promise<NotifyOutcome> {
    const recipientId = requireUuid('ownerId', command.ownerId);
    const { type, sourceKey, data } = narrationNoticeContent(command.notice);
    const outcome = await this.uow.run((repos) => this.planner.notifyKnown(repos, { recipientId, type, sourceEventId: sourceKey, data }));
    this.log.debug({ eventId: command.sourceEventId, type, outcome }, 'narration notification planned');
    return outcome;
  }
}
