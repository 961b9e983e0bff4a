import { Inject, Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { identityEvents } from '@storytelling/contracts';
import { on, type MessageTranslator } from '@storytelling/platform';
import { EraseUserPaymentDetailsCommand } from '../../application/index.js';

/**
 * Anti-corruption layer: of identity's user events payments hears only UserDeactivated, which
 * erases what payments keeps of the user beyond what accounting requires. Other identity events
 * are ignored; a payload that does not decode, or whose userId is not the subject, is
 * dead-lettered by `on`, and so is the handler's ValidationError.
 */
@Injectable()
export class IdentityEventsTranslator implements MessageTranslator {
  constructor(@Inject(CommandBus) private readonly commands: CommandBus) {}

  readonly routes = [on(identityEvents.UserDeactivated, (user) => this.commands.execute(new EraseUserPaymentDetailsCommand(user.userId)))];
}
