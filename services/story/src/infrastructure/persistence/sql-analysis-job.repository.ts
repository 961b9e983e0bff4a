import { LeasedJobTable, leasedJobFields, returnedRows, type LeasedJobRow } from '@storytelling/platform';
import type { EntityManager } from 'typeorm';
import type { AnalysisJob, AnalysisJobRepository, JobFailure, NewAnalysisJob } from '../../domain/index.js';
import { statusOf } from './sql-story.repository.js';

interface JobRow extends LeasedJobRow {
  story_id: string;
  content_hash: string;
  previous_status: string;
}

function toJob(r: JobRow): AnalysisJob {
  return {
    ...leasedJobFields(r),
    storyId: r.story_id,
    contentHash: r.content_hash,
    previousStatus: statusOf(r.previous_status),
    completedAt: r.completed_at,
  };
}

/** The analysis job queue (table analysis_jobs): the lease mechanics of the platform's LeasedJobTable. */
export class SqlAnalysisJobRepository implements AnalysisJobRepository {
  private readonly leases: LeasedJobTable<JobRow>;

  constructor(private readonly em: EntityManager) {
    this.leases = new LeasedJobTable<JobRow>(em, 'analysis_jobs');
  }

  async enqueue(job: NewAnalysisJob): Promise<void> {
    await this.em.query(
      `INSERT INTO analysis_jobs (id, story_id, content_hash, previous_status, status, attempts, run_after, created_at, updated_at)
       VALUES ($1, $2, $3, $4, 'pending', 0, $5, $5, $5)`,
      [job.id, job.storyId, job.contentHash, job.previousStatus, job.at],
    );
  }

  async cancelActive(storyId: string, at: Date): Promise<number> {
    const result: unknown = await this.em.query(
      `UPDATE analysis_jobs SET status = 'cancelled', lease_owner = NULL, lease_expires_at = NULL, completed_at = $2, updated_at = $2
        WHERE story_id = $1 AND status IN ('pending', 'running') RETURNING id`,
      [storyId, at],
    );
    return returnedRows(result).length;
  }

  async claim(workerId: string, leaseMs: number): Promise<AnalysisJob | undefined> {
    const row = await this.leases.claim(workerId, leaseMs);
    return row ? toJob(row) : undefined;
  }

  async lockOwned(jobId: string, workerId: string): Promise<AnalysisJob | undefined> {
    const row = await this.leases.lockOwned(jobId, workerId);
    return row ? toJob(row) : undefined;
  }

  renew(jobId: string, workerId: string, leaseMs: number): Promise<boolean> {
    return this.leases.renew(jobId, workerId, leaseMs);
  }

  markSucceeded(jobId: string, at: Date): Promise<void> {
    return this.leases.finish(jobId, 'succeeded', null, at);
  }

  markCancelled(jobId: string, at: Date): Promise<void> {
    return this.leases.finish(jobId, 'cancelled', null, at);
  }

  markFailed(jobId: string, failure: JobFailure, at: Date): Promise<void> {
    return this.leases.finish(jobId, 'failed', failure, at);
  }

  reschedule(jobId: string, runAfter: Date, failure: JobFailure, at: Date): Promise<void> {
    return this.leases.reschedule(jobId, runAfter, failure, at);
  }

  release(jobId: string, at: Date): Promise<void> {
    return this.leases.release(jobId, at);
  }

  async lastFailure(storyId: string): Promise<AnalysisJob | undefined> {
    const rows: JobRow[] = await this.em.query(
      `SELECT * FROM analysis_jobs WHERE story_id = $1 AND status = 'failed' ORDER BY completed_at DESC, id DESC LIMIT 1`,
      [storyId],
    );
    return rows[0] ? toJob(rows[0]) : undefined;
  }
}
