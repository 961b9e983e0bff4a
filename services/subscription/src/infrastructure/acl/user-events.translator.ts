import { isUuid, uuidv7 } from '@storytelling/kernel';
import { Inject, Injectable } from '@nestjs/common';
import { MalformedMessageError, type CloudEvent, type EventHandler } from '@storytelling/platform';
import type { EntityManager } from 'typeorm';
import { DeactivateSubscriptionCommand, DeactivateSubscriptionHandler, StartFreeSubscriptionCommand, StartFreeSubscriptionHandler } from '../../application/index.js';
import { RepositoryBinder } from '../messaging/repository-binder.js';

export const IDENTITY_USER_TOPIC = 'identity.user.events';
export const IDENTITY_USER_EVENTS = {
  registered: 'storytelling.identity.user.registered.v1',
  deactivated: 'storytelling.identity.user.deactivated.v1',
} as const;

/**
 * Anti-corruption layer: identity's users become subscriptions. UserRegistered → an active free
 * subscription with monthly periods from the registration (once per user: a redelivery, a replay
 * or a second UserRegistered finds the user's row and changes nothing). UserDeactivated → the
 * subscription is cancelled at once (SubscriptionCancelled, reason account_deactivated). Nothing
 * personal is kept beyond the user id. Payloads without a UUID userId equal to the subject are
 * dead-lettered (MalformedMessageError).
 */
@Injectable()
export class UserEventsTranslator implements EventHandler {
  constructor(
    @Inject(StartFreeSubscriptionHandler) private readonly startFree: StartFreeSubscriptionHandler,
    @Inject(DeactivateSubscriptionHandler) private readonly deactivate: DeactivateSubscriptionHandler,
    @Inject(RepositoryBinder) private readonly repos: RepositoryBinder,
  ) {}

  // The commands run in the consumer's transaction (executeIn), with its inbox row.
  async handle(event: CloudEvent, tx: EntityManager): Promise<void> {
    if (event.type === IDENTITY_USER_EVENTS.registered) {
      const userId = this.userId(event);
      const at = parseTime(event.data.registeredAt) ?? parseTime(event.time);
      if (!at) throw new MalformedMessageError(`${event.type} ${event.id} has no registration time`);
      await this.startFree.executeIn(this.repos.bind(tx), new StartFreeSubscriptionCommand(uuidv7(), userId, at));
    } else if (event.type === IDENTITY_USER_EVENTS.deactivated) {
      await this.deactivate.executeIn(this.repos.bind(tx), new DeactivateSubscriptionCommand(this.userId(event)));
    }
  }

  private userId(event: CloudEvent): string {
    const userId = event.data.userId;
    if (!isUuid(userId)) throw new MalformedMessageError(`${event.type} ${event.id} has no valid userId`);
    if (userId.toLowerCase() !== event.subject.toLowerCase()) throw new MalformedMessageError(`${event.type} ${event.id}: userId is not the subject`);
    return userId.toLowerCase();
  }
}

export function parseTime(value: unknown): Date | undefined {
  if (typeof value !== 'string') return undefined;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? undefined : d;
}
