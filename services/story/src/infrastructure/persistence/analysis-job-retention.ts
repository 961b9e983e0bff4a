import type { RetentionRule } from '@storytelling/platform';

/**
 * Retention of finished analysis jobs through the platform's sweeper (docs/adr/0017-retention.md).
 * A story's newest failed job stays whatever its age: GetAnalysis reads it (lastFailure) to
 * answer `failed`; older failed jobs, succeeded and cancelled ones are history nobody reads.
 */
export function analysisJobRetention(maxAgeMs: number): RetentionRule {
  return {
    table: 'analysis_jobs',
    key: 'id',
    expired: `updated_at < $1 AND (status IN ('succeeded', 'cancelled') OR (status = 'failed' AND EXISTS (
      SELECT 1 FROM analysis_jobs newer
       WHERE newer.story_id = analysis_jobs.story_id AND newer.status = 'failed'
         AND (newer.completed_at, newer.id) > (analysis_jobs.completed_at, analysis_jobs.id))))`,
    maxAgeMs,
  };
}
