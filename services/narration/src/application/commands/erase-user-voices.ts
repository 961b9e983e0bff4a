import { ValidationError, isUuid, type UnitOfWorkPort } from '@storytelling/kernel';
import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { getLogger } from '@storytelling/platform';
import type { VoiceRepositories } from '../../domain/index.js';
import { voiceObjectPrefix } from '../../domain/index.js';
import type { MediaFiles, VoiceCloning } from '../ports/index.js';
import { MEDIA_FILES, NARRATION_UNIT_OF_WORK, VOICE_CLONING } from '../ports/index.js';

export interface VoicesErased {
  voices: number;
  objects: number;
  providerVoices: number;
}

/** A user was deactivated (identity's UserDeactivated): erase their voices. */
export class EraseUserVoicesCommand extends Command<VoicesErased> {
  constructor(readonly userId: string) {
    super();
  }
}

/**
 * Erasure of a user's voices: the rows (voices, samples and training jobs), every object under
 * `voices/<userId>/` and the voices cloned at the provider. Runs in the caller's transaction (the
 * identity translator's inbox transaction): the rows are deleted first, then the objects and
 * provider voices; any failure rolls the rows back and the message is retried, and every step is
 * idempotent, so a retry finishes the erasure. Publishes nothing (no event carries a voice's end).
 */
@CommandHandler(EraseUserVoicesCommand)
export class EraseUserVoicesHandler implements ICommandHandler<EraseUserVoicesCommand> {
  private readonly log = getLogger('voices');

  constructor(
    @Inject(NARRATION_UNIT_OF_WORK) private readonly uow: UnitOfWorkPort<VoiceRepositories>,
    @Inject(MEDIA_FILES) private readonly media: MediaFiles,
    @Inject(VOICE_CLONING) private readonly cloning: VoiceCloning,
  ) {}

  async execute({ userId }: EraseUserVoicesCommand): Promise<VoicesErased> {
    if (!isUuid(userId)) throw new ValidationError('userId must be a UUID', [{ field: 'userId', message: 'must be a UUID' }]);
    return this.uow.run(async (repos) => {
      const voices = await repos.voices.deleteByOwner(userId);
      const objects = await this.media.deleteByPrefix(voiceObjectPrefix(userId));
      let providerVoices = 0;
      for (const voice of voices) {
        if (!voice.providerVoiceId) continue;
        if (voice.provider !== this.cloning.provider) {
          // Cloned with a provider this process is not configured for: it cannot reach it.
          this.log.error({ voiceId: voice.id, provider: voice.provider }, 'a cloned voice cannot be deleted at its provider from this configuration');
          continue;
        }
        await this.cloning.remove(voice.providerVoiceId);
        providerVoices++;
      }
      this.log.info({ voices: voices.length, objects, providerVoices }, "a user's voices were erased");
      return { voices: voices.length, objects, providerVoices };
    });
  }
}
