import { CLOCK, isUuid, type Clock } from '@storytelling/kernel';
import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { Caller } from '@storytelling/platform';
import { NotificationNotFoundError } from '../errors.js';
import { NOTIFICATION_UNIT_OF_WORK, type NotificationUnitOfWork } from '../ports/index.js';

export class MarkNotificationReadCommand extends Command<void> {
  constructor(
    readonly caller: Caller,
    readonly notificationId: string,
  ) {
    super();
  }
}

/**
 * Marks one of the caller's in-app notifications read. Idempotent (read_at is set once); another
 * user's (or an unknown) id is NOT_FOUND, never FORBIDDEN (no existence leak). One statement, so
 * no transaction of its own.
 */
@CommandHandler(MarkNotificationReadCommand)
export class MarkNotificationReadHandler implements ICommandHandler<MarkNotificationReadCommand> {
  constructor(
    @Inject(NOTIFICATION_UNIT_OF_WORK) private readonly uow: NotificationUnitOfWork,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute(command: MarkNotificationReadCommand): Promise<void> {
    if (!isUuid(command.notificationId)) throw new NotificationNotFoundError();
    const ok = await this.uow.reader.notifications.markRead(command.notificationId.toLowerCase(), command.caller.userId, this.clock.now());
    if (!ok) throw new NotificationNotFoundError();
  }
}
