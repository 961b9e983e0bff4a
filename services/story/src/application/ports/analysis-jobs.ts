import type { StoryStatus } from '../../domain/index.js';

export type AnalysisJobStatus = 'pending' | 'running' | 'succeeded' | 'failed' | 'cancelled';

/**
 * A durable analysis job (table analysis_jobs). At most one job per story is active (pending or
 * running). A running job belongs to the worker named in `leaseOwner` until `leaseExpiresAt`;
 * after that any worker may claim it again (the first one crashed or hung).
 */
export interface AnalysisJob {
  id: string;
  storyId: string;
  contentHash: string;
  /** The status the story had when the analysis was requested (where a failure returns it). */
  previousStatus: StoryStatus;
  status: AnalysisJobStatus;
  /** Claims so far, this one included. */
  attempts: number;
  runAfter: Date;
  leaseOwner: string | null;
  leaseExpiresAt: Date | null;
  lastErrorCode: string | null;
  lastErrorMessage: string | null;
  createdAt: Date;
  updatedAt: Date;
  completedAt: Date | null;
}

export interface NewAnalysisJob {
  id: string;
  storyId: string;
  contentHash: string;
  previousStatus: StoryStatus;
  at: Date;
}

export interface JobFailure {
  code: string;
  message: string;
}

export interface AnalysisJobStore {
  enqueue(job: NewAnalysisJob): Promise<void>;
  /** Cancels the story's active job, if any (its content changed or it was archived). */
  cancelActive(storyId: string, at: Date): Promise<number>;
  /**
   * Claims one due job (pending with run_after ≤ now, or running with an expired lease) with
   * FOR UPDATE SKIP LOCKED, so concurrent workers never take the same one: it becomes running,
   * owned by `workerId` until now + leaseMs, attempts + 1. Commits on its own.
   */
  claim(workerId: string, leaseMs: number): Promise<AnalysisJob | undefined>;
  /** Locks the job for the rest of the transaction if `workerId` still owns it (running, lease held). */
  lockOwned(jobId: string, workerId: string): Promise<AnalysisJob | undefined>;
  markSucceeded(jobId: string, at: Date): Promise<void>;
  markCancelled(jobId: string, at: Date): Promise<void>;
  markFailed(jobId: string, failure: JobFailure, at: Date): Promise<void>;
  /** Back to pending until `runAfter`, remembering the failure. */
  reschedule(jobId: string, runAfter: Date, failure: JobFailure, at: Date): Promise<void>;
  /** Hands an interrupted job back (shutdown): pending now, and the interrupted attempt does not count. */
  release(jobId: string, at: Date): Promise<void>;
  /** The newest failed job of the story. */
  lastFailure(storyId: string): Promise<AnalysisJob | undefined>;
}
