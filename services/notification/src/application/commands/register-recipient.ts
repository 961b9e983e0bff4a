import { CLOCK, type Clock } from '@storytelling/kernel';
import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { afterRegistration, registeredProfile, requireUuid } from '../../domain/index.js';
import { NotificationPlanner } from '../notification-planner.js';
import { NOTIFICATION_UNIT_OF_WORK, type NotificationUnitOfWork } from '../ports/index.js';

/** identity registered a user (UserRegistered at `identityVersion`, event `sourceEventId`). */
export class RegisterRecipientCommand extends Command<void> {
  constructor(
    readonly userId: string,
    readonly email: string,
    readonly displayName: string,
    readonly language: string,
    readonly identityVersion: number,
    readonly sourceEventId: string,
  ) {
    super();
  }
}

/**
 * Keeps the recipient copy (email, display name, language; default preferences) — only when the
 * registration is newer than the copy, never bringing an erased recipient back — and plans the
 * welcome (email + in-app) for an active one. A registration without a valid address or name is
 * refused (ValidationError: dead-lettered). Redelivered, it writes nothing twice.
 */
@CommandHandler(RegisterRecipientCommand)
export class RegisterRecipientHandler implements ICommandHandler<RegisterRecipientCommand> {
  constructor(
    @Inject(NOTIFICATION_UNIT_OF_WORK) private readonly uow: NotificationUnitOfWork,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(NotificationPlanner) private readonly planner: NotificationPlanner,
  ) {}

  async execute(command: RegisterRecipientCommand): Promise<void> {
    const userId = requireUuid('userId', command.userId);
    const profile = registeredProfile(command);
    await this.uow.run(async (repos) => {
      const now = this.clock.now();
      const known = await repos.recipients.find(userId, { lock: true });
      const { recipient, write } = afterRegistration(known, userId, profile, command.identityVersion);
      if (write === 'insert') await repos.recipients.insert(recipient, now);
      if (write === 'update') await repos.recipients.update(recipient, now);
      if (!recipient.active) return;
      await this.planner.notifyRecipient(repos, recipient, { recipientId: userId, type: 'welcome', sourceEventId: command.sourceEventId, data: {} });
    });
  }
}
