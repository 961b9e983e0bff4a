import { CLOCK, type Clock } from '@storytelling/kernel';
import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { Caller } from '@storytelling/platform';
import { QuotaExceededError, Story } from '../../domain/index.js';
import type { StoryQuota, StoryUnitOfWork } from '../ports/index.js';
import { STORY_QUOTA, STORY_UNIT_OF_WORK } from '../ports/index.js';
import type { StoryView } from '../views.js';
import { toStoryView } from '../views.js';

export class CreateStoryCommand extends Command<StoryView> {
  constructor(
    readonly actor: Caller,
    readonly title: unknown,
    readonly content: unknown,
    readonly language?: unknown,
  ) {
    super();
  }
}

/**
 * Creates a draft, within the author's storiesPerMonth and at most once per Idempotency-Key.
 *
 * Quota (docs/story.md § Quota): subscription's CheckQuota is asked first, outside the
 * transaction (no network call while holding a lock); then, in the transaction, a per-author
 * lock serialises this author's creations and story counts the author's own stories since the
 * period start. Creation is refused when max(subscription's used + reserved, own count) + 1
 * exceeds the limit, so concurrent creations cannot overrun it even while subscription has not
 * yet counted the latest StoryCreated. A replay of a key returns the first story without a
 * second check; subscription unreachable is 503 (fail closed).
 */
@CommandHandler(CreateStoryCommand)
export class CreateStoryHandler implements ICommandHandler<CreateStoryCommand> {
  constructor(
    @Inject(STORY_UNIT_OF_WORK) private readonly uow: StoryUnitOfWork,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(STORY_QUOTA) private readonly quota: StoryQuota,
  ) {}

  async execute(command: CreateStoryCommand): Promise<StoryView> {
    const authorId = command.actor.userId;
    const story = Story.create({ authorId, title: command.title, content: command.content, language: command.language }, this.clock);
    const quota = await this.quota.checkStories();
    const request = { scope: 'story.CreateStory', principal: authorId, body: { title: command.title, content: command.content, language: command.language ?? null } };
    return this.uow.runIdempotent(
      request,
      async (repos) => {
        await repos.stories.lockCreationsBy(authorId);
        const own = quota.limit === undefined ? 0 : await repos.stories.countCreatedSince(authorId, quota.periodStart);
        if (!quota.allowed || (quota.limit !== undefined && Math.max(quota.used + quota.reserved, own) + 1 > quota.limit)) {
          throw new QuotaExceededError(quota.limit);
        }
        await repos.stories.add(story);
        return toStoryView(story);
      },
      { revive: reviveStoryView },
    );
  }
}

/** A StoryView read back from its stored JSON (a replayed Idempotency-Key). */
function reviveStoryView(stored: unknown): StoryView {
  const view = stored as StoryView & { createdAt: string | Date; updatedAt: string | Date };
  return { ...view, createdAt: new Date(view.createdAt), updatedAt: new Date(view.updatedAt) };
}
