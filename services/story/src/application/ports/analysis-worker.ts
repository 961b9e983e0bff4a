/** Wakes the analysis workers of this process at once (a job was queued); polling covers the rest. */
export interface AnalysisWakeup {
  notify(): void;
}

export const ANALYSIS_WAKEUP = Symbol('story.AnalysisWakeup');

/** Settings of the analysis worker (from StoryConfig). */
export interface AnalysisSettings {
  /** Concurrent jobs per process; 0 runs none. */
  workers: number;
  timeoutMs: number;
  leaseMs: number;
  maxAttempts: number;
  retryBaseMs: number;
  pollMs: number;
  /** Recorded with stored analyses, e.g. `local` or `llm:<model>`. */
  analyserName: string;
}

export const ANALYSIS_SETTINGS = Symbol('story.AnalysisSettings');
