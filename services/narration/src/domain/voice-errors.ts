import { BusinessRuleError, ConflictError, NotFoundError, ValidationError } from '@storytelling/kernel';

/**
 * The stable error codes of voices and samples (API.md § Narration). The platform maps each kind
 * to a gRPC status and the gateway to HTTP: not_found 404, validation 400, conflict 409,
 * business_rule 422.
 */

/** Absent, or someone else's (never 403: that would confirm the id exists). */
export class VoiceNotFoundError extends NotFoundError {
  constructor() {
    super('voice', 'VOICE_NOT_FOUND');
  }
}

export class SampleNotFoundError extends NotFoundError {
  constructor() {
    super('sample', 'SAMPLE_NOT_FOUND');
  }
}

/** The upload decodes as no audio at all (a text, an image, garbage), whatever its name says. */
export class AudioNotAudioError extends ValidationError {
  constructor() {
    super('the upload is not audio (wav, mp3, ogg or webm)', [{ field: 'audio', message: 'not decodable audio' }], 'AUDIO_NOT_AUDIO');
  }
}

export class AudioTooShortError extends ValidationError {
  constructor(seconds: number, min: number) {
    super(`the recording lasts ${seconds.toFixed(2)} s; at least ${min} s`, [{ field: 'audio', message: `shorter than ${min} s` }], 'AUDIO_TOO_SHORT');
  }
}

export class AudioTooLongError extends ValidationError {
  constructor(seconds: number, max: number) {
    super(`the recording lasts ${seconds.toFixed(2)} s; at most ${max} s`, [{ field: 'audio', message: `longer than ${max} s` }], 'AUDIO_TOO_LONG');
  }
}

/** A muted or unplugged microphone: nothing above the silence threshold. */
export class AudioSilentError extends ValidationError {
  constructor() {
    super('the recording is silent', [{ field: 'audio', message: 'no signal' }], 'AUDIO_SILENT');
  }
}

/** The sample belongs to a trained profile (409). */
export class SampleLockedError extends ConflictError {
  constructor() {
    super('SAMPLE_LOCKED', 'the sample is part of a trained voice and cannot be deleted');
  }
}

/** The voice is being trained: its samples cannot change and training cannot start again (409). */
export class VoiceTrainingError extends ConflictError {
  constructor() {
    super('VOICE_TRAINING', 'the voice is being trained');
  }
}

/** The owner's tier has no voiceCloning feature (free). */
export class VoiceCloningNotInTierError extends BusinessRuleError {
  constructor() {
    super('VOICE_CLONING_NOT_IN_TIER', 'voice training needs a tier with voice cloning');
  }
}

export class NotEnoughEmotionsError extends BusinessRuleError {
  constructor(have: number, need: number) {
    super('NOT_ENOUGH_EMOTIONS', `training needs samples of at least ${need} distinct emotions; the voice has ${have}`);
  }
}

/** A narration asked for a voice that is not trained (and is not the stock voice). */
export class VoiceNotReadyError extends BusinessRuleError {
  constructor(status: string) {
    super('VOICE_NOT_READY', `the voice is ${status}, not ready`);
  }
}
