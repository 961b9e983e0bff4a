import type { EmotionMoment, StoryCharacter } from '../../domain/index.js';

/** A story as narration needs it: its text and its analysis (characters, emotions per sentence). */
export interface NarratableStory {
  storyId: string;
  authorId: string;
  /** published stories may be read (and their narrations heard) by everyone. */
  published: boolean;
  content: string;
  characters: StoryCharacter[];
  emotions: EmotionMoment[];
}

/**
 * Whose rights a story is read with: `caller`, the bearer token of the call being served (a user
 * asking); `service`, this service's own token (the worker, for a narration a saga asked for).
 */
export type StoryReader = 'caller' | 'service';

/**
 * The story context, read through an anti-corruption layer (infrastructure/story): story's
 * GetStory and GetAnalysis turned into this context's terms.
 */
export interface StorySource {
  /**
   * The story with the analysis of its current content.
   * @throws StoryNotFoundError (absent, or not visible to the reader), StoryNotAnalysedError (no
   * analysis of the current content), DomainError('unavailable') when story cannot answer.
   */
  narratable(storyId: string, reader: StoryReader): Promise<NarratableStory>;
  /** Whether the caller (a reader of someone else's narration) may see the story published. */
  isPublishedFor(storyId: string): Promise<boolean>;
}

export const STORY_SOURCE = Symbol('narration.StorySource');
