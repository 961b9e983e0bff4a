import { ValidationError, isUuid } from '@storytelling/kernel';
import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { getLogger } from '@storytelling/platform';
import { NarrationFailureReasons, narrationsPrefix } from '../../domain/index.js';
import type { MediaFiles } from '../ports/index.js';
import { MEDIA_FILES, NARRATION_UNIT_OF_WORK } from '../ports/index.js';
import type { NarrationsUnitOfWork } from '../queries/get-narration.js';

export interface NarrationsErased {
  narrations: number;
  objects: number;
}

/** A user was deactivated (identity's UserDeactivated): erase their narrations. */
export class EraseUserNarrationsCommand extends Command<NarrationsErased> {
  constructor(readonly userId: string) {
    super();
  }
}

/**
 * Erasure of a user's narrations in the caller's transaction (the identity translator's inbox
 * transaction): a narration still being made fails (NarrationFailed USER_ERASED, so the saga
 * waiting for it releases its quota or compensates), every one is discarded (NarrationDiscarded,
 * reason user_erased), then the rows go (segments and jobs with them) and every object under
 * `narrations/<userId>/`. A failure rolls the rows back and the message is retried; every step is
 * idempotent, so a retry finishes the erasure. A worker holding one of the jobs loses its lease
 * and deletes what it uploads after.
 */
@CommandHandler(EraseUserNarrationsCommand)
export class EraseUserNarrationsHandler implements ICommandHandler<EraseUserNarrationsCommand> {
  private readonly log = getLogger('narrations');

  constructor(
    @Inject(NARRATION_UNIT_OF_WORK) private readonly uow: NarrationsUnitOfWork,
    @Inject(MEDIA_FILES) private readonly media: MediaFiles,
  ) {}

  async execute({ userId }: EraseUserNarrationsCommand): Promise<NarrationsErased> {
    if (!isUuid(userId)) throw new ValidationError('userId must be a UUID', [{ field: 'userId', message: 'must be a UUID' }]);
    const ownerId = userId.toLowerCase();
    return this.uow.run(async (repos) => {
      for (const narration of await repos.narrations.listByOwner(ownerId)) {
        if (narration.status === 'discarded') continue;
        narration.fail(NarrationFailureReasons.userErased);
        narration.discard('user_erased', narration.state.sagaId ?? '');
        await repos.narrations.save(narration);
      }
      const narrations = await repos.narrations.deleteByOwner(ownerId);
      const objects = await this.media.deleteByPrefix(narrationsPrefix(ownerId));
      this.log.info({ narrations, objects }, "a user's narrations were erased");
      return { narrations, objects };
    });
  }
}
