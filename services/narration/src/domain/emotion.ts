import { ValidationError } from '@storytelling/kernel';

/**
 * The emotion set shared with story's analysis (DOMAIN.md § Narration): ten emotions plus
 * `neutral` for plain narration. A voice records a sample per emotion; a narration segment is
 * spoken in one of them.
 */
export const EMOTIONS = ['joy', 'sadness', 'anger', 'fear', 'surprise', 'disgust', 'contempt', 'love', 'curiosity', 'excitement', 'neutral'] as const;

export type Emotion = (typeof EMOTIONS)[number];

const EMOTION_SET: ReadonlySet<string> = new Set(EMOTIONS);

export function isEmotion(value: unknown): value is Emotion {
  return typeof value === 'string' && EMOTION_SET.has(value);
}

/** A name outside the emotion set (400 UNKNOWN_EMOTION). */
export class UnknownEmotionError extends ValidationError {
  constructor(field = 'emotion') {
    super('unknown emotion', [{ field, message: `must be one of ${EMOTIONS.join(', ')}` }], 'UNKNOWN_EMOTION');
  }
}

/** The emotion named by `value` (trimmed, any case). @throws UnknownEmotionError */
export function parseEmotion(value: unknown, field = 'emotion'): Emotion {
  const name = typeof value === 'string' ? value.trim().toLowerCase() : value;
  if (!isEmotion(name)) throw new UnknownEmotionError(field);
  return name;
}
