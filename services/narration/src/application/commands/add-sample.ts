import { join } from 'node:path';
import { CLOCK, ValidationError, uuidv7, type Clock, type UnitOfWorkPort } from '@storytelling/kernel';
import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { getLogger, type Caller } from '@storytelling/platform';
import type { VoiceRepositories } from '../../domain/index.js';
import { VoiceTrainingError, checkSampleAudio, checkUploadKey, normaliseSampleText, parseEmotion, sampleObjectKey } from '../../domain/index.js';
import type { MediaFiles } from '../ports/index.js';
import { MEDIA_FILES, NARRATION_UNIT_OF_WORK } from '../ports/index.js';
import { ownedVoice, sampleView, type SampleView } from '../queries/get-voice.js';

export class AddSampleCommand extends Command<SampleView> {
  constructor(
    readonly caller: Caller,
    readonly voiceId: string,
    readonly emotion: string,
    readonly text: string,
    /** Where the gateway streamed the upload (`uploads/<id>`). */
    readonly uploadObjectKey: string,
  ) {
    super();
  }
}

/**
 * POST /voices/:id/samples. The upload is checked by its content, never its name or declared
 * type: decoded (AUDIO_NOT_AUDIO), 1..60 s (AUDIO_TOO_SHORT / AUDIO_TOO_LONG), not silent
 * (AUDIO_SILENT); then normalised (loudness, mono, Opus in Ogg) to
 * `voices/<owner>/<voice>/samples/<sample>.ogg` and recorded (VoiceSampleRecorded) with the
 * normalised file's decoded duration. The upload is deleted whatever the outcome. No transaction
 * is open while the audio tools run; the voice row is locked only to record the sample.
 */
@CommandHandler(AddSampleCommand)
export class AddSampleHandler implements ICommandHandler<AddSampleCommand> {
  private readonly log = getLogger('voices');

  constructor(
    @Inject(NARRATION_UNIT_OF_WORK) private readonly uow: UnitOfWorkPort<VoiceRepositories>,
    @Inject(MEDIA_FILES) private readonly media: MediaFiles,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute(command: AddSampleCommand): Promise<SampleView> {
    const emotion = parseEmotion(command.emotion);
    const text = normaliseSampleText(command.text);
    const upload = checkUploadKey(command.uploadObjectKey);
    const voice = await ownedVoice(this.uow.reader.voices, command.caller, command.voiceId);
    if (voice.trainingStatus === 'training') throw new VoiceTrainingError();

    const sampleId = uuidv7(this.clock.now().getTime());
    const key = sampleObjectKey(voice.ownerId, voice.id, sampleId);
    const stored = await this.media.withScratch(async (dir) => {
      const input = join(dir, 'upload');
      const output = join(dir, 'sample.ogg');
      if (!(await this.media.download(upload, input))) {
        throw new ValidationError('invalid sample', [{ field: 'uploadObjectKey', message: 'no such upload' }]);
      }
      try {
        checkSampleAudio(await this.media.inspect(input));
        const normalised = await this.media.normalise(input, output);
        const { sizeBytes } = await this.media.upload(output, key, normalised.contentType);
        return { ...normalised, sizeBytes };
      } finally {
        await this.media.delete(upload).catch((err: unknown) => this.log.warn({ err, voiceId: voice.id }, 'could not delete an upload'));
      }
    });

    try {
      return await this.uow.run(async (repos) => {
        const current = await ownedVoice(repos.voices, command.caller, voice.id, { lock: true });
        const sample = current.addSample({ id: sampleId, emotion, text, objectKey: key, ...stored });
        await repos.voices.save(current);
        return sampleView(sample);
      });
    } catch (err) {
      // Not recorded (the voice moved on, or is gone): its audio must not stay behind.
      await this.media.delete(key).catch(() => undefined);
      throw err;
    }
  }
}
