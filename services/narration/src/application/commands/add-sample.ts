import { join } from 'node:path';
import { CLOCK, ValidationError, uuidv7, type Clock } from '@storytelling/kernel';
import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { getLogger, type Caller, type IdempotentRequest } from '@storytelling/platform';
import type { VoiceRepositories } from '../../domain/index.js';
import { VoiceTrainingError, checkSampleAudio, checkUploadKey, normaliseSampleText, parseEmotion, sampleObjectKey } from '../../domain/index.js';
import { firstAnswer } from '../idempotency.js';
import type { IdempotentUnitOfWork, MediaFiles, NormalisedAudio } from '../ports/index.js';
import { MEDIA_FILES, NARRATION_UNIT_OF_WORK } from '../ports/index.js';
import { ownedVoice, reviveSampleView, sampleView, type SampleView } from '../queries/get-voice.js';

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

/** What the audio steps leave: a sample stored and ready to record, or the first answer to a replayed key. */
type Prepared = { request: IdempotentRequest; stored: NormalisedAudio & { sizeBytes: number } } | { replay: SampleView };

/**
 * POST /voices/:id/samples. The upload is checked by its content, never its name or declared
 * type: decoded (AUDIO_NOT_AUDIO), 1..60 s (AUDIO_TOO_SHORT / AUDIO_TOO_LONG), not silent
 * (AUDIO_SILENT); then normalised (loudness, mono, Opus in Ogg) to
 * `voices/<owner>/<voice>/samples/<sample>.ogg` and recorded (VoiceSampleRecorded) with the
 * normalised file's decoded duration. The upload is deleted whatever the outcome. No transaction
 * is open while the audio tools run; the voice row is locked only to record the sample.
 * Idempotency-Key: the request is the voice, emotion, text and the upload's SHA-256; a key answered
 * before replays its sample before any audio work (the retry's upload is deleted all the same),
 * the same key with another request is 409 IDEMPOTENCY_KEY_REUSED.
 */
@CommandHandler(AddSampleCommand)
export class AddSampleHandler implements ICommandHandler<AddSampleCommand> {
  private readonly log = getLogger('voices');

  constructor(
    @Inject(NARRATION_UNIT_OF_WORK) private readonly uow: IdempotentUnitOfWork<VoiceRepositories>,
    @Inject(MEDIA_FILES) private readonly media: MediaFiles,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute(command: AddSampleCommand): Promise<SampleView> {
    const emotion = parseEmotion(command.emotion);
    const text = normaliseSampleText(command.text);
    const upload = checkUploadKey(command.uploadObjectKey);
    const voice = await ownedVoice(this.uow.reader.voices, command.caller, command.voiceId);

    const sampleId = uuidv7(this.clock.now().getTime());
    const key = sampleObjectKey(voice.ownerId, voice.id, sampleId);
    const prepared = await this.media.withScratch(async (dir): Promise<Prepared> => {
      const input = join(dir, 'upload');
      const output = join(dir, 'sample.ogg');
      if (!(await this.media.download(upload, input))) {
        throw new ValidationError('invalid sample', [{ field: 'uploadObjectKey', message: 'no such upload' }]);
      }
      try {
        const request = { scope: 'narration.AddSample', principal: command.caller.userId, body: { voiceId: voice.id, emotion, text, audioSha256: await this.media.digest(input) } };
        const replay = await firstAnswer(this.uow, request, { revive: reviveSampleView });
        if (replay) return { replay: replay.answer };
        if (voice.trainingStatus === 'training') throw new VoiceTrainingError();
        checkSampleAudio(await this.media.inspect(input));
        const normalised = await this.media.normalise(input, output);
        const { sizeBytes } = await this.media.upload(output, key, normalised.contentType);
        return { request, stored: { ...normalised, sizeBytes } };
      } finally {
        await this.media.delete(upload).catch((err: unknown) => this.log.warn({ err, voiceId: voice.id }, 'could not delete an upload'));
      }
    });
    if ('replay' in prepared) return prepared.replay;

    let recorded = false;
    try {
      const sample = await this.uow.runIdempotent(
        prepared.request,
        async (repos) => {
          const current = await ownedVoice(repos.voices, command.caller, voice.id, { lock: true });
          const added = current.addSample({ id: sampleId, emotion, text, objectKey: key, ...prepared.stored });
          await repos.voices.save(current);
          recorded = true;
          return sampleView(added);
        },
        { revive: reviveSampleView },
      );
      // A retry with the same key recorded its sample first: that one answers, this audio goes.
      if (!recorded) await this.media.delete(key).catch((err: unknown) => this.log.warn({ err, voiceId: voice.id, key }, 'could not delete an unrecorded sample'));
      return sample;
    } catch (err) {
      // Not recorded (the voice moved on, or is gone): its audio must not stay behind.
      await this.media.delete(key).catch(() => undefined);
      throw err;
    }
  }
}
