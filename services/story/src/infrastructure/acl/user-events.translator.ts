import type { Clock } from '@storytelling/kernel';
import { isUuid } from '@storytelling/kernel';
import { Inject, Injectable } from '@nestjs/common';
import { EventStore, MalformedMessageError, getLogger, type CloudEvent, type EventHandler } from '@storytelling/platform';
import type { EntityManager } from 'typeorm';
import { CLOCK } from '../../application/ports/index.js';
import { Author } from '../../domain/index.js';
import { typeOrmRepositories } from '../persistence/repositories.js';

/** identity's event types this translator understands (storytelling/identity/v1/events.proto). */
export const IDENTITY_USER_EVENTS = {
  registered: 'storytelling.identity.user.registered.v1',
  profileUpdated: 'storytelling.identity.user.profile_updated.v1',
  deactivated: 'storytelling.identity.user.deactivated.v1',
} as const;

export const IDENTITY_USER_TOPIC = 'identity.user.events';

/**
 * Anti-corruption layer (ARCHITECTURE.md §1): identity's user events become the story context's
 * Author — id and display name, nothing else (no email, no names beyond the display name).
 * - UserRegistered / UserProfileUpdated create or update the author, only if the event's
 *   `aggregateversion` is newer than the version the copy reflects: redelivered and overtaken
 *   events change nothing, whatever the order.
 * - UserDeactivated anonymises the author for good ("Former author", the display name is
 *   dropped) and forgets whom they followed (AuthorUnfollowed for each, on the followed author).
 * - Other identity events are ignored. A payload that is not what identity publishes (no user id,
 *   user id ≠ subject, no display name) is a MalformedMessageError: dead-lettered at once.
 * The consumer's inbox makes redelivery of the same event id a no-op before this even runs;
 * the version rule covers the same fact arriving as a different event (replays, re-publishing).
 * Authors emit no events of their own for these changes.
 */
@Injectable()
export class UserEventsTranslator implements EventHandler {
  private readonly log = getLogger('acl');

  constructor(
    @Inject(EventStore) private readonly events: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async handle(event: CloudEvent, tx: EntityManager): Promise<void> {
    switch (event.type) {
      case IDENTITY_USER_EVENTS.registered:
      case IDENTITY_USER_EVENTS.profileUpdated:
        return this.profile(event, tx);
      case IDENTITY_USER_EVENTS.deactivated:
        return this.deactivated(event, tx);
      default:
        return; // ignore what we do not need (UserAuthenticated, RoleAssigned, future events)
    }
  }

  private async profile(event: CloudEvent, tx: EntityManager): Promise<void> {
    const userId = this.userId(event);
    const displayName = event.data.displayName;
    if (typeof displayName !== 'string' || displayName.trim() === '') {
      throw new MalformedMessageError(`${event.type} ${event.id} has no displayName`);
    }
    const repos = typeOrmRepositories(tx, this.events, this.clock);
    const author = await repos.authors.findById(userId, { lock: true });
    if (!author) {
      await repos.authors.add(Author.fromIdentity(userId, displayName, event.aggregateversion, this.clock));
      return;
    }
    if (author.applyProfile(displayName, event.aggregateversion)) await repos.authors.save(author);
    else this.log.debug({ userId, eventVersion: event.aggregateversion, known: author.identityVersion }, 'identity event not newer; ignored');
  }

  private async deactivated(event: CloudEvent, tx: EntityManager): Promise<void> {
    const userId = this.userId(event);
    const repos = typeOrmRepositories(tx, this.events, this.clock);
    const author = await repos.authors.findById(userId, { lock: true });
    if (!author) {
      await repos.authors.add(Author.deactivatedFromIdentity(userId, event.aggregateversion, this.clock));
    } else {
      const knownVersion = author.identityVersion;
      if (author.deactivate(event.aggregateversion) || author.identityVersion !== knownVersion) await repos.authors.save(author);
    }
    // Whom they followed is their personal data: forget it, publishing each unfollow on the
    // followed author's stream (locks taken in id order, so concurrent deactivations cannot deadlock).
    const followed: Array<{ author_id: string }> = await tx.query(
      `SELECT author_id FROM story_followers WHERE follower_id = $1 ORDER BY author_id`,
      [userId],
    );
    for (const { author_id: followedId } of followed) {
      const followedAuthor = await repos.authors.findById(followedId, { lock: true });
      await repos.follows.remove(followedId, userId);
      if (followedAuthor) {
        followedAuthor.recordUnfollow(userId);
        await repos.authors.save(followedAuthor);
      }
    }
  }

  private userId(event: CloudEvent): string {
    const userId = event.data.userId;
    if (!isUuid(userId)) throw new MalformedMessageError(`${event.type} ${event.id} has no valid userId`);
    if (userId.toLowerCase() !== event.subject.toLowerCase()) {
      throw new MalformedMessageError(`${event.type} ${event.id}: userId ${userId} is not the subject ${event.subject}`);
    }
    return userId.toLowerCase();
  }
}
