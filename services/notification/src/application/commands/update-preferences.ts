import { CLOCK, type Clock } from '@storytelling/kernel';
import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { Caller } from '@storytelling/platform';
import { validatePreferences, type Preferences, type PreferencesInput } from '../../domain/index.js';
import { RecipientNotFoundError, RecipientNotReadyError } from '../errors.js';
import { NOTIFICATION_UNIT_OF_WORK, type NotificationUnitOfWork } from '../ports/index.js';

export class UpdatePreferencesCommand extends Command<Preferences> {
  constructor(
    readonly caller: Caller,
    readonly input: PreferencesInput,
  ) {
    super();
  }
}

/**
 * Replaces the caller's preferences (validated by the domain first). The recipient row is locked,
 * so a concurrent identity event (profile update, deactivation) cannot interleave with it.
 */
@CommandHandler(UpdatePreferencesCommand)
export class UpdatePreferencesHandler implements ICommandHandler<UpdatePreferencesCommand> {
  constructor(
    @Inject(NOTIFICATION_UNIT_OF_WORK) private readonly uow: NotificationUnitOfWork,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute(command: UpdatePreferencesCommand): Promise<Preferences> {
    const preferences = validatePreferences(command.input);
    return this.uow.run(async (repos) => {
      const recipient = await repos.recipients.find(command.caller.userId, { lock: true });
      // No copy yet: UserRegistered is on its way (the caller's token says identity knows them).
      if (!recipient) throw new RecipientNotReadyError();
      if (!recipient.active) throw new RecipientNotFoundError();
      await repos.recipients.updatePreferences(recipient.id, preferences, this.clock.now());
      return preferences;
    });
  }
}
