import { ValidationError } from '@storytelling/kernel';
import type { Emotion } from './emotion.js';
import { AudioNotAudioError, AudioSilentError, AudioTooLongError, AudioTooShortError } from './voice-errors.js';

/** A recording lasts 1..60 s (DOMAIN.md § Narration), measured by decoding it. */
export const MIN_SAMPLE_SECONDS = 1;
export const MAX_SAMPLE_SECONDS = 60;
/** What the speaker read aloud; its length over the duration is the voice's pace. */
export const MAX_SAMPLE_TEXT_LENGTH = 1_000;

/**
 * One recording of a voice for an emotion: the normalised audio (Opus in Ogg) under its own
 * object key, what was read, the decoded duration and whether a trained profile uses it.
 */
export interface VoiceSampleState {
  id: string;
  emotion: Emotion;
  text: string;
  objectKey: string;
  contentType: string;
  durationSeconds: number;
  sizeBytes: number;
  /** Part of a trained profile: it cannot be deleted. */
  locked: boolean;
  createdAt: Date;
}

/** What the content check found in an upload (decoded, not guessed from its name). */
export interface AudioFacts {
  /** false: no decodable audio stream. */
  audio: boolean;
  durationSeconds: number;
  silent: boolean;
}

/**
 * The rules an upload must pass to become a sample: decodable audio, 1..60 s, not silent.
 * @throws AudioNotAudioError, AudioTooShortError, AudioTooLongError, AudioSilentError
 */
export function checkSampleAudio(facts: AudioFacts): void {
  if (!facts.audio) throw new AudioNotAudioError();
  if (facts.durationSeconds < MIN_SAMPLE_SECONDS) throw new AudioTooShortError(facts.durationSeconds, MIN_SAMPLE_SECONDS);
  if (facts.durationSeconds > MAX_SAMPLE_SECONDS) throw new AudioTooLongError(facts.durationSeconds, MAX_SAMPLE_SECONDS);
  if (facts.silent) throw new AudioSilentError();
}

/** The sample's text as one line. @throws ValidationError when empty or too long */
export function normaliseSampleText(value: unknown): string {
  const text = typeof value === 'string' ? value.replace(/\s+/g, ' ').trim() : '';
  if (text.length === 0) throw new ValidationError('invalid sample', [{ field: 'text', message: 'the text that was read aloud is required' }]);
  if (text.length > MAX_SAMPLE_TEXT_LENGTH) throw new ValidationError('invalid sample', [{ field: 'text', message: `at most ${MAX_SAMPLE_TEXT_LENGTH} characters` }]);
  return text;
}

/** Every object of a user's voices lives under this prefix (erasure deletes it whole). */
export function voiceObjectPrefix(ownerId: string): string {
  return `voices/${ownerId}/`;
}

/** `voices/<ownerId>/<voiceId>/samples/<sampleId>.ogg`: a new key per sample, never rewritten. */
export function sampleObjectKey(ownerId: string, voiceId: string, sampleId: string): string {
  return `${voiceObjectPrefix(ownerId)}${voiceId}/samples/${sampleId}.ogg`;
}

/** Where the gateway streams uploads (`uploads/<uuid>`); AddSample takes nothing else. */
const UPLOAD_KEY = /^uploads\/[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;

/** @throws ValidationError when `key` is not an upload key */
export function checkUploadKey(key: unknown): string {
  if (typeof key !== 'string' || !UPLOAD_KEY.test(key)) {
    throw new ValidationError('invalid sample', [{ field: 'uploadObjectKey', message: 'must name an upload (uploads/<id>)' }]);
  }
  return key;
}
