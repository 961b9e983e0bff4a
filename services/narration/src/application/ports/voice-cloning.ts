import type { Emotion, TrainedVoiceProvider } from '../../domain/index.js';

export interface CloneVoiceInput {
  voiceId: string;
  /** The voice's name (the provider shows it in its own console). */
  name: string;
  /** Local files of the normalised samples (Opus in Ogg). */
  samples: ReadonlyArray<{ path: string; contentType: string; emotion: Emotion }>;
}

/** A provider refused or failed; `code` is what training failure records (e.g. VOICE_LIMIT_REACHED). */
export class VoiceCloningError extends Error {
  constructor(
    readonly code: string,
    message: string,
    /** Worth another attempt later (provider down, rate limited); false: training fails now. */
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'VoiceCloningError';
  }
}

/**
 * Where a trained voice is cloned. `local` (NARRATION_CLONING_PROVIDER=local, the default)
 * clones nowhere: voice matching alone shapes the local engine's speech. `elevenlabs` adds the
 * samples as an instant voice clone at ElevenLabs and speaks through it (SpeechEngine).
 */
export interface VoiceCloning {
  readonly provider: TrainedVoiceProvider;
  /** @throws VoiceCloningError */
  clone(input: CloneVoiceInput): Promise<{ providerVoiceId?: string }>;
  /** Deletes the provider's voice (erasure, retraining); a voice already gone is not an error. */
  remove(providerVoiceId: string): Promise<void>;
}

export const VOICE_CLONING = Symbol('narration.VoiceCloning');
