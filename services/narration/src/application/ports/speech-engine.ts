import type { ConversationStyle } from '../../domain/conversation-style.js';
import type { Emotion, VoiceProfile, VoiceProvider } from '../../domain/index.js';
import type { NarratorProfile } from '../../domain/narrator-profile.js';

/** The voice to speak with: its provider, its id there (cloned voices) and its measured profile (voice matching). */
export interface SpeechVoice {
  provider: VoiceProvider;
  providerVoiceId?: string;
  profile?: VoiceProfile;
}

export interface SpeechRequest {
  /** One segment: a sentence or a few (speechText flattens line breaks). */
  text: string;
  emotion: Emotion;
  narratorProfile: NarratorProfile;
  conversationStyle: ConversationStyle;
  voice: SpeechVoice;
}

export interface SpeechResult {
  /** Decoded from the written file. */
  durationSeconds: number;
  /** Always Opus in Ogg. */
  contentType: string;
}

/** What every synthesised file is. */
export const SPEECH_CONTENT_TYPE = 'audio/ogg';

/**
 * Text to speech, written as Opus in Ogg to `outputPath` (atomically). Emotion, narrator profile
 * and conversation style set rate, pitch, volume and pauses; a voice's profile moves the output's
 * pitch toward its measured F0 median and its pace. Local engine: Piper (espeak-ng where Piper is
 * not installed); a voice cloned at ElevenLabs speaks through the cloning provider.
 */
export interface SpeechEngine {
  /** e.g. `piper:en_US-joe-medium` or `espeak-ng:en-us` (logged at start, recorded nowhere else). */
  readonly name: string;
  synthesise(request: SpeechRequest, outputPath: string): Promise<SpeechResult>;
}

export const SPEECH_ENGINE = Symbol('narration.SpeechEngine');
