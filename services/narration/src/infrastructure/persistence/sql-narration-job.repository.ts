import { LeasedJobTable, leasedJobFields, returnedRows, type LeasedJobRow } from '@storytelling/platform';
import type { EntityManager } from 'typeorm';
import type { NarrationJob, NarrationJobFailure, NarrationJobKind, NarrationJobs } from '../../domain/index.js';

interface JobRow extends LeasedJobRow {
  narration_id: string;
  kind: NarrationJobKind;
  segment_indexes: number[];
}

function toJob(r: JobRow): NarrationJob {
  return { ...leasedJobFields(r), narrationId: r.narration_id, kind: r.kind, segmentIndexes: [...r.segment_indexes] };
}

/**
 * The narration job queue (table narration_jobs), leased like story's analysis jobs: a job is
 * claimable only while no other job of its narration runs, so a regeneration waits for the
 * generation (or the regeneration) before it; regenerations asked for meanwhile join the waiting one.
 */
export class SqlNarrationJobRepository implements NarrationJobs {
  private readonly leases: LeasedJobTable<JobRow>;

  constructor(private readonly em: EntityManager) {
    this.leases = new LeasedJobTable<JobRow>(em, 'narration_jobs', {
      claimableWhen: `NOT EXISTS (SELECT 1 FROM narration_jobs o WHERE o.narration_id = c.narration_id AND o.id <> c.id
                                    AND o.status = 'running' AND o.lease_expires_at >= clock_timestamp())`,
    });
  }

  async enqueueGeneration(job: { id: string; narrationId: string; at: Date }): Promise<boolean> {
    const result: unknown = await this.em.query(
      `INSERT INTO narration_jobs (id, narration_id, kind, status, attempts, run_after, created_at, updated_at)
       VALUES ($1, $2, 'generate', 'pending', 0, $3, $3, $3)
       ON CONFLICT (narration_id) WHERE kind = 'generate' AND status IN ('pending', 'running') DO NOTHING
       RETURNING id`,
      [job.id, job.narrationId, job.at],
    );
    return returnedRows(result).length === 1;
  }

  async enqueueRegeneration(job: { id: string; narrationId: string; index: number; at: Date }): Promise<void> {
    await this.em.query(
      `INSERT INTO narration_jobs (id, narration_id, kind, segment_indexes, status, attempts, run_after, created_at, updated_at)
       VALUES ($1, $2, 'regenerate', ARRAY[$3::int], 'pending', 0, $4, $4, $4)
       ON CONFLICT (narration_id) WHERE kind = 'regenerate' AND status = 'pending' DO UPDATE
          SET segment_indexes = ARRAY(SELECT DISTINCT i FROM unnest(narration_jobs.segment_indexes || excluded.segment_indexes) AS i ORDER BY i),
              updated_at = excluded.updated_at`,
      [job.id, job.narrationId, job.index, job.at],
    );
  }

  async claim(workerId: string, leaseMs: number): Promise<NarrationJob | undefined> {
    const row = await this.leases.claim(workerId, leaseMs);
    return row ? toJob(row) : undefined;
  }

  async lockOwned(jobId: string, workerId: string, leaseMs?: number): Promise<NarrationJob | undefined> {
    const row = await this.leases.lockOwned(jobId, workerId, leaseMs);
    return row ? toJob(row) : undefined;
  }

  renew(jobId: string, workerId: string, leaseMs: number): Promise<boolean> {
    return this.leases.renew(jobId, workerId, leaseMs);
  }

  finish(jobId: string, status: 'succeeded' | 'failed' | 'cancelled', failure: NarrationJobFailure | null, at: Date): Promise<void> {
    return this.leases.finish(jobId, status, failure, at);
  }

  reschedule(jobId: string, runAfter: Date, failure: NarrationJobFailure, at: Date): Promise<void> {
    return this.leases.reschedule(jobId, runAfter, failure, at);
  }

  async release(jobId: string, at: Date): Promise<void> {
    // A regeneration asked for while this one ran waits as pending: hand this one's segments to it.
    const merged: unknown = await this.em.query(
      `UPDATE narration_jobs p
          SET segment_indexes = ARRAY(SELECT DISTINCT i FROM unnest(p.segment_indexes || j.segment_indexes) AS i ORDER BY i), updated_at = $2
         FROM narration_jobs j
        WHERE j.id = $1 AND j.kind = 'regenerate' AND p.narration_id = j.narration_id AND p.kind = 'regenerate' AND p.status = 'pending' AND p.id <> j.id
        RETURNING p.id`,
      [jobId, at],
    );
    if (returnedRows(merged).length > 0) return this.leases.finish(jobId, 'cancelled', null, at);
    return this.leases.release(jobId, at);
  }

  async cancelForNarration(narrationId: string, at: Date): Promise<void> {
    await this.em.query(
      `UPDATE narration_jobs SET status = 'cancelled', lease_owner = NULL, lease_expires_at = NULL, completed_at = $2, updated_at = $2
        WHERE narration_id = $1 AND status IN ('pending', 'running')`,
      [narrationId, at],
    );
  }
}
