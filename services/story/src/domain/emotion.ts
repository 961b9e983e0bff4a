/**
 * The emotion set shared by analysis and narration (DOMAIN.md § Narration): ten emotions plus
 * `neutral` for plain narration. A value object: only these names exist.
 */
export const EMOTIONS = [
  'joy',
  'sadness',
  'anger',
  'fear',
  'surprise',
  'disgust',
  'contempt',
  'love',
  'curiosity',
  'excitement',
  'neutral',
] as const;

export type Emotion = (typeof EMOTIONS)[number];

const EMOTION_SET: ReadonlySet<string> = new Set(EMOTIONS);

export function isEmotion(value: unknown): value is Emotion {
  return typeof value === 'string' && EMOTION_SET.has(value);
}

/** Intensity of an emotional moment: an integer 1..10 (DOMAIN.md). */
export const MIN_INTENSITY = 1;
export const MAX_INTENSITY = 10;

/** Rounds and clamps any finite number into 1..10; undefined for anything else. */
export function normaliseIntensity(value: unknown): number | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value)) return undefined;
  return Math.min(MAX_INTENSITY, Math.max(MIN_INTENSITY, Math.round(value)));
}
