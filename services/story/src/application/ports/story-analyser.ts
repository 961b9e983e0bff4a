import type { CharacterRole } from '../../domain/character-role.js';
import type { Emotion } from '../../domain/emotion.js';

/**
 * PORT — the story analyser (ARCHITECTURE.md §1 "every external provider sits behind a port").
 * Adapters live in src/infrastructure/analysis/ (a local heuristic analyser, the default, and an
 * OpenAI-compatible LLM adapter), chosen by STORY_ANALYSER=local|llm through
 * `createStoryAnalyser(config)` in src/infrastructure/analysis/index.ts.
 *
 * The analysis worker (application/commands/run-analysis-job.ts) calls `analyse` outside any database transaction,
 * with an AbortSignal that fires when its time budget (STORY_ANALYSIS_TIMEOUT_MS) runs out; an
 * adapter must stop its work and reject promptly when the signal aborts. The worker validates
 * and normalises the result (unknown emotions dropped, intensities clamped to 1..10, unknown
 * roles become `other`, duplicate names merged, lengths capped), so adapters need not be
 * perfect, but they must never invent personal data that is not in the story.
 */
export interface StoryAnalysisInput {
  /** Trimmed title, 3..500 characters. */
  title: string;
  /** The story text, at most 200,000 characters, never empty (blank stories are not analysed). */
  content: string;
  /** BCP 47 tag, e.g. `en`, `pt-BR`. */
  language: string;
}

export interface AnalysedCharacter {
  name: string;
  description: string;
  personality: string;
  role: CharacterRole;
  traits: string[];
}

export interface AnalysedEmotion {
  emotion: Emotion;
  /** 1..10. */
  intensity: number;
  /** Short explanation of what happens at this moment. */
  context: string;
  /** A verbatim excerpt of the content. */
  quote: string;
  /** 0-based index of the segment (sentence group) of the content the moment belongs to. */
  segmentIndex: number;
}

export interface AnalysisResult {
  characters: AnalysedCharacter[];
  emotions: AnalysedEmotion[];
}

export interface StoryAnalyser {
  analyse(input: StoryAnalysisInput, signal?: AbortSignal): Promise<AnalysisResult>;
}

export interface AnalyserErrorOptions {
  /** True when trying again later may succeed (timeouts, 429, 5xx, network); false otherwise. */
  retryable: boolean;
  /**
   * Stable UPPER_SNAKE code shown in GetAnalysis when the analysis finally fails. Defaults:
   * ANALYSER_UNAVAILABLE when retryable, ANALYSER_REJECTED when not.
   */
  code?: string;
  cause?: unknown;
}

/**
 * What an adapter throws when it cannot analyse. Anything else an adapter throws is treated as
 * retryable with code ANALYSER_FAILED. Messages may be shown to the author: keep them free of
 * secrets (API keys, provider request ids are fine).
 */
export class AnalyserError extends Error {
  readonly retryable: boolean;
  readonly code: string;

  constructor(message: string, options: AnalyserErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AnalyserError';
    this.retryable = options.retryable;
    this.code = options.code ?? (options.retryable ? 'ANALYSER_UNAVAILABLE' : 'ANALYSER_REJECTED');
  }
}

/** Nest injection token of the StoryAnalyser. */
export const STORY_ANALYSER = Symbol('story.StoryAnalyser');
