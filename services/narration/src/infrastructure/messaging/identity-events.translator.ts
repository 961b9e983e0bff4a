import { Inject, Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { identityEvents } from '@storytelling/contracts';
import { on, type MessageTranslator } from '@storytelling/platform';
import { EraseUserNarrationsCommand, EraseUserVoicesCommand } from '../../application/index.js';

/**
 * identity's users, as far as narration cares: UserDeactivated erases what the user made here,
 * their narrations and their voices (rows and stored audio), in the one inbox transaction.
 */
@Injectable()
export class IdentityEventsTranslator implements MessageTranslator {
  constructor(@Inject(CommandBus) private readonly commands: CommandBus) {}

  readonly routes = [
    on(identityEvents.UserDeactivated, async (user) => {
      const userId = user.userId.toLowerCase();
      await this.commands.execute(new EraseUserNarrationsCommand(userId));
      await this.commands.execute(new EraseUserVoicesCommand(userId));
    }),
  ];
}
