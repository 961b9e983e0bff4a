import { Inject, Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { identityEvents } from '@storytelling/contracts';
import { on, type MessageTranslator } from '@storytelling/platform';
import { DeactivateRecipientCommand, RegisterRecipientCommand, UpdateRecipientProfileCommand } from '../../application/index.js';

/**
 * Anti-corruption layer for identity: its user events become the recipient commands — how to
 * reach the person and in which language, with identity's aggregate version (`aggregateversion`)
 * so older facts are ignored. Other identity events are ignored; a payload that does not decode,
 * or whose userId is not the subject, is dead-lettered by `on`, and so is a handler's
 * ValidationError (no valid address or name).
 */
@Injectable()
export class IdentityEventsTranslator implements MessageTranslator {
  constructor(@Inject(CommandBus) private readonly commands: CommandBus) {}

  readonly routes = [
    on(identityEvents.UserRegistered, (user, envelope) =>
      this.commands.execute(new RegisterRecipientCommand(user.userId, user.email, user.displayName, user.language, envelope.aggregateversion, envelope.id)),
    ),
    on(identityEvents.UserProfileUpdated, (user, envelope) =>
      this.commands.execute(new UpdateRecipientProfileCommand(user.userId, user.displayName, user.language, envelope.aggregateversion)),
    ),
    on(identityEvents.UserDeactivated, (user, envelope) => this.commands.execute(new DeactivateRecipientCommand(user.userId, envelope.aggregateversion))),
  ];
}
