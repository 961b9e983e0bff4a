import { Inject, Injectable } from '@nestjs/common';
import { EventStore, MalformedMessageError, getLogger, type CloudEvent, type EventHandler } from '@storytelling/platform';
import type { EntityManager } from 'typeorm';
import { NotificationPlanner } from '../../application/delivery/notification-planner.js';
import { FOLLOWER_DIRECTORY, SENDER_SETTINGS, type FollowerDirectory, type SenderSettings } from '../../application/ports/index.js';
import { typeOrmRepositories } from '../persistence/repositories.js';
import { requireUuidField, stringField } from './event-data.js';

export const STORY_TOPIC = 'story.story.events';
export const STORY_PUBLISHED = 'storytelling.story.story.published.v1';

/**
 * StoryPublished → a story_published notification for every follower of the author, paged
 * through story's ListFollowers (NOTIFICATION_FOLLOWERS_PAGE_SIZE per call). Everything is
 * planned inside the consumer's transaction: a failed page rolls the whole event back and the
 * retry starts over, and the (event, recipient, channel) key makes that retry write nothing twice.
 * Only StoryPublished triggers anything (drafts and edits are other events, ignored).
 */
@Injectable()
export class StoryEventsTranslator implements EventHandler {
  private readonly log = getLogger('acl');

  constructor(
    @Inject(EventStore) private readonly events: EventStore,
    @Inject(NotificationPlanner) private readonly planner: NotificationPlanner,
    @Inject(FOLLOWER_DIRECTORY) private readonly followers: FollowerDirectory,
    @Inject(SENDER_SETTINGS) private readonly settings: SenderSettings,
  ) {}

  async handle(event: CloudEvent, tx: EntityManager): Promise<void> {
    if (event.type !== STORY_PUBLISHED) return;
    const storyId = requireUuidField(event, 'storyId');
    const authorId = requireUuidField(event, 'authorId');
    const title = stringField(event, 'title');
    if (title.trim() === '') throw new MalformedMessageError(`${event.type} ${event.id} has no title`);
    const data = { storyId, title, authorName: stringField(event, 'authorName') };
    const repos = typeOrmRepositories(tx, this.events);
    let cursor: string | undefined;
    let pages = 0;
    let planned = 0;
    do {
      const page = await this.followers.followers(authorId, cursor, this.settings.followersPageSize);
      pages += 1;
      for (const followerId of page.userIds) {
        if (followerId === authorId) continue;
        const outcome = await this.planner.notify(repos, { recipientId: followerId, type: 'story_published', sourceEventId: event.id, data });
        if (outcome === 'created') planned += 1;
      }
      cursor = page.nextCursor;
    } while (cursor);
    this.log.info({ eventId: event.id, storyId, pages, planned }, 'story publication fanned out');
  }
}
