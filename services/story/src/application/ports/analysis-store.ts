import type { EmotionMoment, StoredCharacter } from '../../domain/index.js';

/** The stored analysis of a story: one row per (story, type) plus the character and emotion rows. */
export interface StoredAnalysis {
  storyId: string;
  contentHash: string;
  characters: StoredCharacter[];
  emotions: EmotionMoment[];
  /** Which adapter produced it (e.g. `local`, `llm:<model>`). */
  analyser: string;
  createdAt: Date;
}

export interface AnalysisStore {
  /** The stored analysis, whatever content it is for; undefined when the story never had one. */
  find(storyId: string): Promise<StoredAnalysis | undefined>;
  /** The content hash and time of the stored analysis, without the rows. */
  findHeader(storyId: string): Promise<{ contentHash: string; createdAt: Date } | undefined>;
  /** Replaces the stored analysis (both types, characters and emotions) of a story. */
  replace(analysis: StoredAnalysis): Promise<void>;
}
