import { uuidv7 } from '@storytelling/kernel';
import { Inject, Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { identityEvents } from '@storytelling/contracts';
import { on, type Envelope, type MessageTranslator } from '@storytelling/platform';
import { DeactivateSubscriptionCommand, StartFreeSubscriptionCommand } from '../../application/index.js';

/**
 * Anti-corruption layer: identity's users become subscriptions. UserRegistered → an active free
 * subscription with monthly periods from the registration (once per user); UserDeactivated →
 * the subscription ends at once. Nothing personal is kept beyond the user id.
 */
@Injectable()
export class IdentityEventsTranslator implements MessageTranslator {
  constructor(@Inject(CommandBus) private readonly commands: CommandBus) {}

  readonly routes = [
    on(identityEvents.UserRegistered, (user, envelope) =>
      this.commands.execute(new StartFreeSubscriptionCommand(uuidv7(), user.userId.toLowerCase(), timeOf(user.registeredAt, envelope))),
    ),
    on(identityEvents.UserDeactivated, (user) => this.commands.execute(new DeactivateSubscriptionCommand(user.userId.toLowerCase()))),
  ];
}

/** The payload's time, or the envelope's when the producer left it out. */
export function timeOf(value: string | undefined, envelope: Envelope): Date {
  return new Date(value || envelope.time);
}
