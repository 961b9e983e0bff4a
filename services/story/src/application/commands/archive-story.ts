import { CLOCK, type Clock } from '@storytelling/kernel';
import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { Caller } from '@storytelling/platform';
import { StoryNotFoundError, mayArchive, mayRead } from '../../domain/index.js';
import { NotStoryAuthorError, assertExpectedVersion, withConflictRetry } from '../access.js';
import type { StoryUnitOfWork } from '../ports/index.js';
import { STORY_UNIT_OF_WORK } from '../ports/index.js';
import { requireUuid } from '../validation.js';
import type { StoryView } from '../views.js';
import { toStoryView } from '../views.js';

export class ArchiveStoryCommand extends Command<StoryView> {
  constructor(
    readonly actor: Caller,
    readonly storyId: string,
    readonly expectedVersion?: number,
  ) {
    super();
  }
}

/**
 * Delete = archive, by the author or an admin / super-admin. Idempotent. Someone who may not
 * read the story gets STORY_NOT_FOUND; a reader of a published story who is not its author
 * gets NOT_STORY_AUTHOR (403).
 */
@CommandHandler(ArchiveStoryCommand)
export class ArchiveStoryHandler implements ICommandHandler<ArchiveStoryCommand> {
  constructor(
    @Inject(STORY_UNIT_OF_WORK) private readonly uow: StoryUnitOfWork,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  execute(command: ArchiveStoryCommand): Promise<StoryView> {
    const id = requireUuid(command.storyId, 'storyId');
    return withConflictRetry(command.expectedVersion !== undefined, () =>
      this.uow.run(async (repos) => {
        const story = await repos.stories.findById(id);
        if (!story) throw new StoryNotFoundError();
        if (!mayArchive(story, command.actor)) {
          if (mayRead(story, command.actor)) throw new NotStoryAuthorError();
          throw new StoryNotFoundError();
        }
        assertExpectedVersion(story, command.expectedVersion);
        if (story.archive(command.actor.userId)) {
          await repos.stories.save(story);
          await repos.jobs.cancelActive(story.id, this.clock.now());
        }
        return toStoryView(story);
      }),
    );
  }
}
