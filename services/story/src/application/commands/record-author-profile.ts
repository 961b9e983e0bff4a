import { CLOCK, ValidationError, type Clock } from '@storytelling/kernel';
import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { getLogger } from '@storytelling/platform';
import { Author } from '../../domain/index.js';
import type { StoryUnitOfWork } from '../ports/index.js';
import { STORY_UNIT_OF_WORK } from '../ports/index.js';
import { requireUuid } from '../validation.js';

/**
 * identity says who a user is now (UserRegistered, UserProfileUpdated): the story context keeps
 * its Author copy — id and display name, nothing else.
 */
export class RecordAuthorProfileCommand extends Command<void> {
  constructor(
    readonly userId: string,
    readonly displayName: string,
    /** identity's aggregate version of the user as of this profile (the event's `aggregateversion`). */
    readonly identityVersion: number,
  ) {
    super();
  }
}

/**
 * Creates the author, or updates the display name, only if `identityVersion` is newer than the
 * version the copy reflects: redelivered and overtaken events change nothing, whatever the order;
 * a deactivated author stays anonymous. No user id or no display name is a ValidationError (the
 * message is dead-lettered as malformed). Authors emit no events of their own for this.
 */
@CommandHandler(RecordAuthorProfileCommand)
export class RecordAuthorProfileHandler implements ICommandHandler<RecordAuthorProfileCommand> {
  private readonly log = getLogger('acl');

  constructor(
    @Inject(STORY_UNIT_OF_WORK) private readonly uow: StoryUnitOfWork,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute(command: RecordAuthorProfileCommand): Promise<void> {
    const userId = requireUuid(command.userId, 'userId');
    const { displayName, identityVersion } = command;
    if (typeof displayName !== 'string' || displayName.trim() === '') {
      throw new ValidationError('the user has no displayName', [{ field: 'displayName', message: 'must not be blank' }]);
    }
    await this.uow.run(async (repos) => {
      const author = await repos.authors.findById(userId, { lock: true });
      if (!author) {
        await repos.authors.add(Author.fromIdentity(userId, displayName, identityVersion, this.clock));
        return;
      }
      if (author.applyProfile(displayName, identityVersion)) await repos.authors.save(author);
      else this.log.debug({ userId, eventVersion: identityVersion, known: author.identityVersion }, 'identity event not newer; ignored');
    });
  }
}
