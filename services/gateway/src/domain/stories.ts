/**
 * The story context's published vocabulary (DOMAIN.md § Storytelling, story_service.proto). The
 * story service owns these; the gateway validates inputs against them and documents them.
 */
export const STORY_STATUSES = ['draft', 'analyzing', 'analyzed', 'published', 'archived'] as const;
export type StoryStatus = (typeof STORY_STATUSES)[number];

export const ANALYSIS_STATUSES = ['none', 'analyzing', 'analyzed', 'failed', 'stale'] as const;
export type AnalysisStatus = (typeof ANALYSIS_STATUSES)[number];

export const CHARACTER_ROLES = ['protagonist', 'antagonist', 'supporting', 'narrator', 'other'] as const;
export type CharacterRole = (typeof CHARACTER_ROLES)[number];

/** The emotion set shared by analysis and narration. */
export const EMOTIONS = ['joy', 'sadness', 'anger', 'fear', 'surprise', 'disgust', 'contempt', 'love', 'curiosity', 'excitement', 'neutral'] as const;
export type Emotion = (typeof EMOTIONS)[number];

export const TITLE_MIN = 3;
export const TITLE_MAX = 500;
export const CONTENT_MAX = 200_000;
/** proto int32: versions are 1..2^31-1. */
export const VERSION_MAX = 2_147_483_647;

/** A type guard for one of `values` (a published vocabulary). */
export const isOneOf =
  <T extends string>(values: readonly T[]) =>
  (value: unknown): value is T =>
    typeof value === 'string' && (values as readonly string[]).includes(value);

export const isStoryStatus = isOneOf(STORY_STATUSES);
export const isAnalysisStatus = isOneOf(ANALYSIS_STATUSES);
export const isCharacterRole = isOneOf(CHARACTER_ROLES);
export const isEmotion = isOneOf(EMOTIONS);

/** Length in Unicode code points (what the story service counts), without allocating. */
export function codePointLength(value: string): number {
  let n = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    // A high surrogate followed by a low one is one code point.
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < value.length) {
      const d = value.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}
