import { CLOCK, type Clock } from '@storytelling/kernel';
import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { Caller } from '@storytelling/platform';
import type { StoryChanges } from '../../domain/index.js';
import { assertExpectedVersion, loadOwnStory, withConflictRetry } from '../access.js';
import type { StoryUnitOfWork } from '../ports/index.js';
import { STORY_UNIT_OF_WORK } from '../ports/index.js';
import type { StoryView } from '../views.js';
import { toStoryView } from '../views.js';

export class UpdateStoryCommand extends Command<StoryView> {
  constructor(
    readonly actor: Caller,
    readonly storyId: string,
    readonly changes: StoryChanges,
    /** The If-Match version, when the client sent one: a stale one is VERSION_CONFLICT (412). */
    readonly expectedVersion?: number,
  ) {
    super();
  }
}

/** The author edits title and/or content; a content edit of an analysing story cancels its job. */
@CommandHandler(UpdateStoryCommand)
export class UpdateStoryHandler implements ICommandHandler<UpdateStoryCommand> {
  constructor(
    @Inject(STORY_UNIT_OF_WORK) private readonly uow: StoryUnitOfWork,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  execute(command: UpdateStoryCommand): Promise<StoryView> {
    return withConflictRetry(command.expectedVersion !== undefined, () =>
      this.uow.run(async (repos) => {
        const story = await loadOwnStory(repos, command.storyId, command.actor);
        assertExpectedVersion(story, command.expectedVersion);
        const wasAnalyzing = story.status === 'analyzing';
        if (story.edit(command.changes)) {
          await repos.stories.save(story);
          if (wasAnalyzing && story.status !== 'analyzing') await repos.jobs.cancelActive(story.id, this.clock.now());
        }
        return toStoryView(story);
      }),
    );
  }
}
