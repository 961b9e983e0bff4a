import type { UnitOfWorkPort } from '@storytelling/kernel';
import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { getLogger, type Caller } from '@storytelling/platform';
import type { VoiceRepositories } from '../../domain/index.js';
import type { MediaFiles } from '../ports/index.js';
import { MEDIA_FILES, NARRATION_UNIT_OF_WORK } from '../ports/index.js';
import { ownedVoice } from '../queries/get-voice.js';

export class DeleteSampleCommand extends Command<void> {
  constructor(
    readonly caller: Caller,
    readonly voiceId: string,
    readonly sampleId: string,
  ) {
    super();
  }
}

/**
 * DELETE /voices/:id/samples/:sampleId: an unlocked sample goes (SAMPLE_LOCKED when a trained
 * profile uses it, VOICE_TRAINING while training runs), then its audio. An object left behind by
 * a failed delete stays under the owner's prefix, which erasure removes whole.
 */
@CommandHandler(DeleteSampleCommand)
export class DeleteSampleHandler implements ICommandHandler<DeleteSampleCommand> {
  private readonly log = getLogger('voices');

  constructor(
    @Inject(NARRATION_UNIT_OF_WORK) private readonly uow: UnitOfWorkPort<VoiceRepositories>,
    @Inject(MEDIA_FILES) private readonly media: MediaFiles,
  ) {}

  async execute({ caller, voiceId, sampleId }: DeleteSampleCommand): Promise<void> {
    const removed = await this.uow.run(async (repos) => {
      const voice = await ownedVoice(repos.voices, caller, voiceId, { lock: true });
      const sample = voice.removeSample(sampleId);
      await repos.voices.save(voice);
      return sample;
    });
    await this.media.delete(removed.objectKey).catch((err: unknown) => this.log.warn({ err, voiceId, sampleId }, 'could not delete a sample object'));
  }
}
