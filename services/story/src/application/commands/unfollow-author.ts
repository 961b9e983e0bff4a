import { CLOCK, systemClock, type Clock } from '@storytelling/kernel';
import { Inject, Optional } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { Caller } from '@storytelling/platform';
import { unknownAuthor } from '../../domain/index.js';
import type { StoryUnitOfWork } from '../ports/index.js';
import { STORY_UNIT_OF_WORK } from '../ports/index.js';
import { requireUuid } from '../validation.js';

export class UnfollowAuthorCommand extends Command<void> {
  constructor(
    readonly actor: Caller,
    readonly authorId: string,
  ) {
    super();
  }
}

/** The caller stops following: idempotent; an unknown author is 404 AUTHOR_NOT_FOUND. */
@CommandHandler(UnfollowAuthorCommand)
export class UnfollowAuthorHandler implements ICommandHandler<UnfollowAuthorCommand> {
  constructor(
    @Inject(STORY_UNIT_OF_WORK) private readonly uow: StoryUnitOfWork,
    @Optional() @Inject(CLOCK) private readonly clock: Clock = systemClock,
  ) {}

  async execute(command: UnfollowAuthorCommand): Promise<void> {
    const authorId = requireUuid(command.authorId, 'authorId');
    await this.uow.run(async (repos) => {
      const author = await repos.authors.findById(authorId, { lock: true });
      if (!author) throw unknownAuthor(authorId, this.clock.now());
      if (!(await repos.follows.isFollowing(authorId, command.actor.userId))) return;
      author.recordUnfollow(command.actor.userId);
      await repos.follows.remove(authorId, command.actor.userId);
      await repos.authors.save(author);
    });
  }
}
