import { CLOCK, type Clock } from '@storytelling/kernel';
import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { erased, newRecipient, requireUuid } from '../../domain/index.js';
import { NOTIFICATION_UNIT_OF_WORK, type NotificationUnitOfWork } from '../ports/index.js';

/** identity deactivated a user (UserDeactivated at `identityVersion`). */
export class DeactivateRecipientCommand extends Command<void> {
  constructor(
    readonly userId: string,
    readonly identityVersion: number,
  ) {
    super();
  }
}

/**
 * Erases the recipient's email, name and phone for good, skips whatever was still waiting to be
 * sent and clears the in-app texts. An unknown user is remembered as erased, so a late
 * UserRegistered cannot bring the address back.
 */
@CommandHandler(DeactivateRecipientCommand)
export class DeactivateRecipientHandler implements ICommandHandler<DeactivateRecipientCommand> {
  constructor(
    @Inject(NOTIFICATION_UNIT_OF_WORK) private readonly uow: NotificationUnitOfWork,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute(command: DeactivateRecipientCommand): Promise<void> {
    const userId = requireUuid('userId', command.userId);
    const version = command.identityVersion;
    await this.uow.run(async (repos) => {
      const now = this.clock.now();
      const known = await repos.recipients.find(userId, { lock: true });
      if (!known) {
        await repos.recipients.insert(erased(newRecipient(userId, '', '', 'en', version), version), now);
        return;
      }
      await repos.recipients.update(erased(known, version), now);
      await repos.notifications.forgetRecipient(userId, now);
    });
  }
}
