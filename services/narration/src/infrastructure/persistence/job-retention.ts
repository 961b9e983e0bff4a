import type { RetentionRule } from '@storytelling/platform';

/** narration's leased job tables (the platform's LeasedJobTable): constants, never input. */
const JOB_TABLES = ['narration_jobs', 'voice_training_jobs'] as const;

/**
 * Retention of finished jobs through the platform's sweeper (docs/adr/0017-retention.md):
 * `narration_jobs` and `voice_training_jobs` rows that succeeded, failed or were cancelled more
 * than `maxAgeMs` ago (NARRATION_JOB_RETENTION_MS). Nothing reads a finished job: a narration
 * keeps its failure (and a failed regeneration's) on its own row, a voice its failureReason, and
 * the partial unique indexes that keep one active job per narration or voice only look at live
 * jobs. Pending and running jobs never go, whatever their age.
 */
export function finishedJobRetention(maxAgeMs: number): RetentionRule[] {
  return JOB_TABLES.map((table) => ({
    table,
    key: 'id',
    expired: `status IN ('succeeded', 'failed', 'cancelled') AND coalesce(completed_at, updated_at) < $1`,
    maxAgeMs,
  }));
}
