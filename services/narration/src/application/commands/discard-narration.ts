import { CLOCK, isUuid, type Clock } from '@storytelling/kernel';
import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { MalformedMessageError, getLogger } from '@storytelling/platform';
import { Narration, narrationsPrefix } from '../../domain/index.js';
import type { MediaFiles } from '../ports/index.js';
import { MEDIA_FILES, NARRATION_UNIT_OF_WORK } from '../ports/index.js';
import type { NarrationsUnitOfWork } from '../queries/get-narration.js';

/** DiscardNarration (narration.commands, from a compensating saga): delete a narration and its audio. */
export class DiscardNarrationCommand extends Command<{ objects: number }> {
  constructor(readonly input: { sagaId: string; narrationId: string; reason: string }) {
    super();
  }
}

/**
 * Idempotent by narration id, in the consumer's transaction: the narration becomes a tombstone
 * (its segments' rows go, its jobs are cancelled), NarrationDiscarded answers with the saga id,
 * and every object under `narrations/<owner>/<id>/` is deleted (after the rows, so a failure
 * retries the whole and a retry finishes it). A narration this service does not hold (never
 * made, or erased) is answered all the same, by a tombstone of its own.
 */
@CommandHandler(DiscardNarrationCommand)
export class DiscardNarrationHandler implements ICommandHandler<DiscardNarrationCommand> {
  private readonly log = getLogger('narrations');

  constructor(
    @Inject(NARRATION_UNIT_OF_WORK) private readonly uow: NarrationsUnitOfWork,
    @Inject(MEDIA_FILES) private readonly media: MediaFiles,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute({ input }: DiscardNarrationCommand): Promise<{ objects: number }> {
    if (!isUuid(input.sagaId) || !isUuid(input.narrationId)) throw new MalformedMessageError('DiscardNarration without a UUID sagaId and narrationId');
    const sagaId = input.sagaId.toLowerCase();
    const narrationId = input.narrationId.toLowerCase();
    const reason = input.reason || 'discarded';
    return this.uow.run(async (repos) => {
      const narration = await repos.narrations.find(narrationId, { lock: true });
      if (!narration) {
        await repos.narrations.add(Narration.discardedUnknown(narrationId, reason, sagaId, await repos.narrations.streamVersion(narrationId), this.clock));
        this.log.info({ narrationId, sagaId }, 'DiscardNarration for an unknown narration answered');
        return { objects: 0 };
      }
      const ownerId = narration.ownerId;
      narration.discard(reason, sagaId);
      await repos.narrations.save(narration);
      await repos.narrationJobs.cancelForNarration(narrationId, this.clock.now());
      const objects = ownerId ? await this.media.deleteByPrefix(`${narrationsPrefix(ownerId)}${narrationId}/`) : 0;
      this.log.info({ narrationId, sagaId, objects }, 'narration discarded');
      return { objects };
    });
  }
}
