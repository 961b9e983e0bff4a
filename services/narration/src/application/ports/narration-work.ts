/** Wakes the narration workers of this process at once (a job was queued); polling covers the rest. */
export interface NarrationWakeup {
  notify(): void;
}

export const NARRATION_WAKEUP = Symbol('narration.NarrationWakeup');

/** Joins segment files into the whole narration (Opus in Ogg). Adapter: ffmpeg (platform concatWithPauses). */
export interface AudioJoiner {
  /** The files in order with `pauseMs` of silence between them, written to `output`; answers its decoded duration. */
  join(inputs: readonly string[], pauseMs: number, output: string): Promise<{ durationSeconds: number }>;
}

export const AUDIO_JOINER = Symbol('narration.AudioJoiner');

/** How narrations are made (from NarrationConfig). */
export interface NarrationSettings {
  /** Concurrent jobs per process; 0 runs none (tests drive RunNarrationJobCommand). */
  workers: number;
  /** How long a claimed job is the worker's; renewed after every segment. */
  leaseMs: number;
  pollMs: number;
  /** Segments of one job synthesised at the same time (their encoding and storing overlap the next synthesis). */
  segmentConcurrency: number;
  /** Syntheses of one segment before the narration fails (SEGMENT_FAILED). */
  segmentAttempts: number;
  /** Pause before synthesising a failed segment again (ms, times the attempt). */
  segmentRetryDelayMs: number;
  /** Claims of one job (a worker that died holding it counts) before its narration fails (JOB_ABANDONED). */
  maxJobAttempts: number;
  /** Delay before a job waiting for story (unavailable) is tried again (ms). */
  jobRetryDelayMs: number;
  /** Silence between segments in the whole file (ms). */
  pauseMs: number;
  /** How long subscription holds a narration's reserved quota without a commit (s). */
  reservationTtlSeconds: number;
}

export const NARRATION_SETTINGS = Symbol('narration.NarrationSettings');
