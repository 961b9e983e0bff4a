import { CLOCK, type Clock } from '@storytelling/kernel';
import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { Author } from '../../domain/index.js';
import type { StoryUnitOfWork } from '../ports/index.js';
import { STORY_UNIT_OF_WORK } from '../ports/index.js';
import { requireUuid } from '../validation.js';

/** identity deactivated a user (UserDeactivated). */
export class DeactivateAuthorCommand extends Command<void> {
  constructor(
    readonly userId: string,
    /** identity's aggregate version of the user at the deactivation (the event's `aggregateversion`). */
    readonly identityVersion: number,
  ) {
    super();
  }
}

/**
 * Erasure in the story context (issue 13): anonymises the author for good ("Former author", the
 * display name is dropped; a deactivation heard first leaves an anonymous author behind), forgets
 * the follows in both directions (whom someone follows, and who follows them, is personal data)
 * and archives every story of theirs, so nobody can read them any more (StoryArchived, archived
 * by the author; analysis jobs cancelled). Each unfollow is published (AuthorUnfollowed) on the
 * followed author's stream; locks are taken in id order, so concurrent deactivations cannot
 * deadlock.
 */
@CommandHandler(DeactivateAuthorCommand)
export class DeactivateAuthorHandler implements ICommandHandler<DeactivateAuthorCommand> {
  constructor(
    @Inject(STORY_UNIT_OF_WORK) private readonly uow: StoryUnitOfWork,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute(command: DeactivateAuthorCommand): Promise<void> {
    const userId = requireUuid(command.userId, 'userId');
    await this.uow.run(async (repos) => {
      const author = await repos.authors.findById(userId, { lock: true });
      if (!author) {
        await repos.authors.add(Author.deactivatedFromIdentity(userId, command.identityVersion, this.clock));
      } else {
        const knownVersion = author.identityVersion;
        if (author.deactivate(command.identityVersion) || author.identityVersion !== knownVersion) await repos.authors.save(author);
      }
      for (const followedId of await repos.follows.followedBy(userId)) {
        const followed = await repos.authors.findById(followedId, { lock: true });
        await repos.follows.remove(followedId, userId);
        if (followed) {
          followed.recordUnfollow(userId);
          await repos.authors.save(followed);
        }
      }
      const followers = await repos.follows.followersOf(userId);
      if (followers.length > 0) {
        // Read again: the author row was saved above, at a newer version.
        const erased = await repos.authors.findById(userId, { lock: true });
        for (const followerId of followers) {
          await repos.follows.remove(userId, followerId);
          erased?.recordUnfollow(followerId);
        }
        if (erased) await repos.authors.save(erased);
      }
      for (const story of await repos.stories.listUnarchivedByAuthor(userId)) {
        if (!story.archive(userId)) continue;
        await repos.stories.save(story);
        await repos.jobs.cancelActive(story.id, this.clock.now());
      }
    });
  }
}
