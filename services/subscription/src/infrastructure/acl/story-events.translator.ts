import { isUuid } from '@storytelling/kernel';
import { Inject, Injectable } from '@nestjs/common';
import { MalformedMessageError, type CloudEvent, type EventHandler } from '@storytelling/platform';
import type { EntityManager } from 'typeorm';
import { CountUsageCommand, CountUsageHandler } from '../../application/index.js';
import { RepositoryBinder } from '../messaging/repository-binder.js';
import { parseTime } from './user-events.translator.js';

export const STORY_TOPIC = 'story.story.events';
export const STORY_CREATED = 'storytelling.story.story.created.v1';

/**
 * Stories are counted from StoryCreated (issue 4): +1 committed `stories` for the author's
 * subscription in the usage window of the story's creation time. Exactly once per event by the
 * consumer's inbox (same transaction). The quota is enforced by story before it creates
 * (CheckQuota); a count past the limit is reported with QuotaExceeded, never refused. The
 * command runs in the consumer's transaction (executeIn).
 */
@Injectable()
export class StoryEventsTranslator implements EventHandler {
  constructor(
    @Inject(CountUsageHandler) private readonly count: CountUsageHandler,
    @Inject(RepositoryBinder) private readonly repos: RepositoryBinder,
  ) {}

  async handle(event: CloudEvent, tx: EntityManager): Promise<void> {
    if (event.type !== STORY_CREATED) return;
    const authorId = event.data.authorId;
    if (!isUuid(authorId)) throw new MalformedMessageError(`${event.type} ${event.id} has no valid authorId`);
    const at = parseTime(event.data.createdAt) ?? parseTime(event.time);
    if (!at) throw new MalformedMessageError(`${event.type} ${event.id} has no creation time`);
    await this.count.executeIn(this.repos.bind(tx), new CountUsageCommand(authorId.toLowerCase(), 'stories', at));
  }
}
