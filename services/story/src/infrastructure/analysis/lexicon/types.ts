import { EMOTIONS, type Emotion } from '../../../domain/emotion.js';

/** The emotions a lexicon can score (`neutral` is the absence of a score, never a word list). */
export type ScoredEmotion = Exclude<Emotion, 'neutral'>;
export const SCORED_EMOTIONS: readonly ScoredEmotion[] = EMOTIONS.filter((e): e is ScoredEmotion => e !== 'neutral');

/** Strong words weigh 3, moderate 2, mild 1. */
export interface EmotionWords {
  strong?: readonly string[];
  moderate?: readonly string[];
  mild?: readonly string[];
}

/**
 * A language's word lists, written for this project (not taken from any published lexicon).
 * Entry syntax:
 * - `word`   the word and its regular inflections (English: -s, -ed, -ing, -ly, -er, -est, ...;
 *            Spanish entries are not inflected, use stems);
 * - `=word`  exactly this form;
 * - `stem*`  any word starting with the stem (at least 4 characters before the `*`).
 * Words are compared lower-cased and without diacritics.
 */
export interface LexiconSpec {
  language: string;
  emotions: Readonly<Record<ScoredEmotion, EmotionWords>>;
  /** Words that cancel an emotion word in the next few words ("not afraid", "sin miedo"). */
  negators: readonly string[];
  /** Words skipped when counting how far a negation reaches ("not at all afraid"). */
  negationFillers: readonly string[];
  /** Multiply the next emotion word (within two words) by 1.5: "very", "terribly". */
  intensifiers: readonly string[];
  /** Multiply the next emotion word (within two words) by 0.5: "slightly", "a bit". */
  downtoners: readonly string[];
  /**
   * Two-word phrases that change what the first word means: `[first, second, emotion|null, weight]`
   * (`first` is an entry as above). `null` cancels the word: "cried out" is shouting, not weeping.
   */
  phrases: readonly (readonly [string, string, ScoredEmotion | null, number])[];
  /** Two-word phrases where the FIRST word changes the second: "oh dear" is not love. */
  prefixedPhrases: readonly (readonly [string, string, ScoredEmotion | null, number])[];
  /** Inflects an entry (English regular forms); identity for languages using stems. */
  inflect(base: string): string[];
}
