import type { Clock } from '@storytelling/kernel';
import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { StoryChanges, Viewer } from '../../domain/index.js';
import { Story, StoryNotFoundError, mayArchive, mayRead } from '../../domain/index.js';
import { NotStoryAuthorError, assertExpectedVersion, loadOwnStory, withConflictRetry } from '../access.js';
import type { StoryUnitOfWork } from '../ports/index.js';
import { CLOCK, STORY_UNIT_OF_WORK } from '../ports/index.js';
import { requireUuid } from '../validation.js';
import type { StoryView } from '../views.js';
import { toStoryView } from '../views.js';

export class CreateStoryCommand extends Command<StoryView> {
  constructor(
    readonly actor: Viewer,
    readonly title: unknown,
    readonly content: unknown,
    readonly language?: unknown,
  ) {
    super();
  }
}

@CommandHandler(CreateStoryCommand)
export class CreateStoryHandler implements ICommandHandler<CreateStoryCommand> {
  constructor(
    @Inject(STORY_UNIT_OF_WORK) private readonly uow: StoryUnitOfWork,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute(command: CreateStoryCommand): Promise<StoryView> {
    const story = Story.create(
      { authorId: command.actor.userId, title: command.title, content: command.content, language: command.language },
      this.clock,
    );
    await this.uow.run((repos) => repos.stories.add(story));
    return toStoryView(story);
  }
}

export class UpdateStoryCommand extends Command<StoryView> {
  constructor(
    readonly actor: Viewer,
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

export class ArchiveStoryCommand extends Command<StoryView> {
  constructor(
    readonly actor: Viewer,
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
