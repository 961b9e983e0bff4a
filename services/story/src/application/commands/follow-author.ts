import { CLOCK, systemClock, type Clock } from '@storytelling/kernel';
import { Inject, Optional } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { Caller } from '@storytelling/platform';
import { unknownAuthor, CannotFollowSelfError } from '../../domain/index.js';
import type { StoryUnitOfWork } from '../ports/index.js';
import { STORY_UNIT_OF_WORK } from '../ports/index.js';
import { requireUuid } from '../validation.js';

export class FollowAuthorCommand extends Command<void> {
  constructor(
    readonly actor: Caller,
    readonly authorId: string,
  ) {
    super();
  }
}

/**
 * The caller follows an author: idempotent (following again changes nothing and publishes
 * nothing); yourself is 422 CANNOT_FOLLOW_SELF; an author the story context does not know (or
 * whose account is deactivated) is 404 AUTHOR_NOT_FOUND. The author's row is locked, so
 * concurrent follows of one author queue instead of conflicting on its event version.
 */
@CommandHandler(FollowAuthorCommand)
export class FollowAuthorHandler implements ICommandHandler<FollowAuthorCommand> {
  constructor(
    @Inject(STORY_UNIT_OF_WORK) private readonly uow: StoryUnitOfWork,
    @Optional() @Inject(CLOCK) private readonly clock: Clock = systemClock,
  ) {}

  async execute(command: FollowAuthorCommand): Promise<void> {
    const authorId = requireUuid(command.authorId, 'authorId');
    if (authorId === command.actor.userId) throw new CannotFollowSelfError();
    await this.uow.run(async (repos) => {
      const author = await repos.authors.findById(authorId, { lock: true });
      if (!author) throw unknownAuthor(authorId, this.clock.now());
      author.assertFollowable(command.actor.userId);
      if (await repos.follows.isFollowing(authorId, command.actor.userId)) return;
      const at = author.recordFollow(command.actor.userId);
      await repos.follows.add(authorId, command.actor.userId, at);
      await repos.authors.save(author);
    });
  }
}
