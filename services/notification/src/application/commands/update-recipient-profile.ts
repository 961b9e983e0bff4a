import { CLOCK, type Clock } from '@storytelling/kernel';
import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { afterProfileUpdate, requireUuid } from '../../domain/index.js';
import { NOTIFICATION_UNIT_OF_WORK, type NotificationUnitOfWork } from '../ports/index.js';

/** identity changed a user's profile (UserProfileUpdated at `identityVersion`); blank fields did not change. */
export class UpdateRecipientProfileCommand extends Command<void> {
  constructor(
    readonly userId: string,
    readonly displayName: string,
    readonly language: string,
    readonly identityVersion: number,
  ) {
    super();
  }
}

/**
 * Name and language for what is sent next. Ignored for an unknown or erased recipient and for an
 * update not newer than the copy (identity's events may arrive late or twice).
 */
@CommandHandler(UpdateRecipientProfileCommand)
export class UpdateRecipientProfileHandler implements ICommandHandler<UpdateRecipientProfileCommand> {
  constructor(
    @Inject(NOTIFICATION_UNIT_OF_WORK) private readonly uow: NotificationUnitOfWork,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute(command: UpdateRecipientProfileCommand): Promise<void> {
    const userId = requireUuid('userId', command.userId);
    await this.uow.run(async (repos) => {
      const known = await repos.recipients.find(userId, { lock: true });
      const updated = afterProfileUpdate(known, command, command.identityVersion);
      if (updated) await repos.recipients.update(updated, this.clock.now());
    });
  }
}
