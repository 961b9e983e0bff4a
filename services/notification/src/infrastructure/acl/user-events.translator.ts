import type { Clock } from '@storytelling/kernel';
import { Inject, Injectable } from '@nestjs/common';
import { EventStore, MalformedMessageError, getLogger, type CloudEvent, type EventHandler } from '@storytelling/platform';
import type { EntityManager } from 'typeorm';
import { NotificationPlanner } from '../../application/delivery/notification-planner.js';
import { CLOCK } from '../../application/ports/index.js';
import { erased, newRecipient, type Recipient } from '../../domain/index.js';
import { typeOrmRepositories } from '../persistence/repositories.js';
import { requireUuidField, stringField } from './event-data.js';

export const IDENTITY_USER_TOPIC = 'identity.user.events';
export const IDENTITY_USER_EVENTS = {
  registered: 'storytelling.identity.user.registered.v1',
  profileUpdated: 'storytelling.identity.user.profile_updated.v1',
  deactivated: 'storytelling.identity.user.deactivated.v1',
} as const;

const EMAIL = /^[^\s@]+@[^\s@]+$/;

/**
 * Anti-corruption layer: identity's user events become Recipients (email, display name,
 * language; default preferences), only when the event's `aggregateversion` is newer than the
 * copy. UserRegistered also plans the welcome (email + in-app). UserDeactivated erases the
 * personal data and skips whatever was still waiting to be sent. Other events are ignored.
 */
@Injectable()
export class UserEventsTranslator implements EventHandler {
  private readonly log = getLogger('acl');

  constructor(
    @Inject(EventStore) private readonly events: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(NotificationPlanner) private readonly planner: NotificationPlanner,
  ) {}

  async handle(event: CloudEvent, tx: EntityManager): Promise<void> {
    switch (event.type) {
      case IDENTITY_USER_EVENTS.registered:
        return this.registered(event, tx);
      case IDENTITY_USER_EVENTS.profileUpdated:
        return this.profileUpdated(event, tx);
      case IDENTITY_USER_EVENTS.deactivated:
        return this.deactivated(event, tx);
      default:
        return;
    }
  }

  private userId(event: CloudEvent): string {
    const userId = requireUuidField(event, 'userId');
    if (userId !== event.subject.toLowerCase()) throw new MalformedMessageError(`${event.type} ${event.id}: userId is not the subject`);
    return userId;
  }

  private async registered(event: CloudEvent, tx: EntityManager): Promise<void> {
    const userId = this.userId(event);
    const email = stringField(event, 'email').trim();
    const displayName = stringField(event, 'displayName').trim();
    if (!EMAIL.test(email)) throw new MalformedMessageError(`${event.type} ${event.id} has no valid email`);
    if (displayName === '') throw new MalformedMessageError(`${event.type} ${event.id} has no displayName`);
    const language = stringField(event, 'language').trim() || 'en';
    const repos = typeOrmRepositories(tx, this.events);
    const now = this.clock.now();
    const known = await repos.recipients.find(userId, { lock: true });
    let recipient: Recipient;
    if (!known) {
      recipient = newRecipient(userId, email, displayName.slice(0, 100), language, event.aggregateversion);
      await repos.recipients.insert(recipient, now);
    } else if (known.active && event.aggregateversion > known.identityVersion) {
      recipient = { ...known, email, displayName: displayName.slice(0, 100), language, identityVersion: event.aggregateversion };
      await repos.recipients.update(recipient, now);
    } else {
      recipient = known;
    }
    if (!recipient.active) return;
    await this.planner.notifyRecipient(repos, recipient, { recipientId: userId, type: 'welcome', sourceEventId: event.id, data: {} });
  }

  private async profileUpdated(event: CloudEvent, tx: EntityManager): Promise<void> {
    const userId = this.userId(event);
    const repos = typeOrmRepositories(tx, this.events);
    const known = await repos.recipients.find(userId, { lock: true });
    if (!known || !known.active || event.aggregateversion <= known.identityVersion) {
      this.log.debug({ userId, version: event.aggregateversion }, 'profile update for an unknown, erased or newer recipient; ignored');
      return;
    }
    const displayName = stringField(event, 'displayName').trim();
    const language = stringField(event, 'language').trim();
    await repos.recipients.update(
      { ...known, displayName: displayName ? displayName.slice(0, 100) : known.displayName, language: language || known.language, identityVersion: event.aggregateversion },
      this.clock.now(),
    );
  }

  private async deactivated(event: CloudEvent, tx: EntityManager): Promise<void> {
    const userId = this.userId(event);
    const repos = typeOrmRepositories(tx, this.events);
    const now = this.clock.now();
    const known = await repos.recipients.find(userId, { lock: true });
    if (!known) {
      // Remember the erasure so a late UserRegistered cannot bring the address back.
      await repos.recipients.insert(erased(newRecipient(userId, '', '', 'en', event.aggregateversion), event.aggregateversion), now);
      return;
    }
    await repos.recipients.update(erased(known, event.aggregateversion), now);
    await repos.notifications.forgetRecipient(userId, now);
  }
}
