import { Inject, Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { identityEvents } from '@storytelling/contracts';
import { on, type MessageTranslator } from '@storytelling/platform';
import { DeactivateAuthorCommand, RecordAuthorProfileCommand } from '../../application/index.js';

/**
 * Anti-corruption layer (ARCHITECTURE.md §1): identity's user events become the story context's
 * Author commands — id and display name, nothing else (no email, no names beyond the display
 * name). identity's aggregate version (`aggregateversion`) travels along, so the handlers ignore
 * redelivered and overtaken facts. Other identity events (UserAuthenticated, RoleAssigned, future
 * ones) are ignored; a payload that does not decode, or whose userId is not the subject, is
 * dead-lettered by `on`, and so is a handler's ValidationError (no user id, no display name).
 */
@Injectable()
export class IdentityEventsTranslator implements MessageTranslator {
  constructor(@Inject(CommandBus) private readonly commands: CommandBus) {}

  readonly routes = [
    on(identityEvents.UserRegistered, (user, envelope) =>
      this.commands.execute(new RecordAuthorProfileCommand(user.userId, user.displayName, envelope.aggregateversion)),
    ),
    on(identityEvents.UserProfileUpdated, (user, envelope) =>
      this.commands.execute(new RecordAuthorProfileCommand(user.userId, user.displayName, envelope.aggregateversion)),
    ),
    on(identityEvents.UserDeactivated, (user, envelope) => this.commands.execute(new DeactivateAuthorCommand(user.userId, envelope.aggregateversion))),
  ];
}
