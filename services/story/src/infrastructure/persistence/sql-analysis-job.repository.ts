import { returnedRows } from '@storytelling/platform';
import type { EntityManager } from 'typeorm';
import type { AnalysisJob, AnalysisJobRepository, JobFailure, NewAnalysisJob } from '../../domain/index.js';
import { statusOf } from './sql-story.repository.js';

interface JobRow {
  id: string;
  story_id: string;
  content_hash: string;
  previous_status: string;
  status: AnalysisJob['status'];
  attempts: number;
  run_after: Date;
  lease_owner: string | null;
  lease_expires_at: Date | null;
  last_error_code: string | null;
  last_error_message: string | null;
  created_at: Date;
  updated_at: Date;
  completed_at: Date | null;
}

function toJob(r: JobRow): AnalysisJob {
  return {
    id: r.id,
    storyId: r.story_id,
    contentHash: r.content_hash,
    previousStatus: statusOf(r.previous_status),
    status: r.status,
    attempts: r.attempts,
    runAfter: r.run_after,
    leaseOwner: r.lease_owner,
    leaseExpiresAt: r.lease_expires_at,
    lastErrorCode: r.last_error_code,
    lastErrorMessage: r.last_error_message,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    completedAt: r.completed_at,
  };
}

export class SqlAnalysisJobRepository implements AnalysisJobRepository {
  constructor(private readonly em: EntityManager) {}

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
    // Database time decides due-ness and leases, so replicas with skewed clocks agree.
    const result: unknown = await this.em.query(
      `UPDATE analysis_jobs j
          SET status = 'running', lease_owner = $1, lease_expires_at = clock_timestamp() + make_interval(secs => $2::double precision / 1000),
              attempts = j.attempts + 1, updated_at = clock_timestamp()
         FROM (SELECT id FROM analysis_jobs
                WHERE (status = 'pending' AND run_after <= clock_timestamp())
                   OR (status = 'running' AND lease_expires_at < clock_timestamp())
                ORDER BY run_after, id
                LIMIT 1
                FOR UPDATE SKIP LOCKED) due
        WHERE j.id = due.id
        RETURNING j.*`,
      [workerId, leaseMs],
    );
    const [row] = returnedRows<JobRow>(result);
    return row ? toJob(row) : undefined;
  }

  async lockOwned(jobId: string, workerId: string): Promise<AnalysisJob | undefined> {
    const rows: JobRow[] = await this.em.query(
      `SELECT * FROM analysis_jobs WHERE id = $1 AND status = 'running' AND lease_owner = $2 FOR UPDATE`,
      [jobId, workerId],
    );
    return rows[0] ? toJob(rows[0]) : undefined;
  }

  async markSucceeded(jobId: string, at: Date): Promise<void> {
    await this.finish(jobId, 'succeeded', null, at);
  }

  async markCancelled(jobId: string, at: Date): Promise<void> {
    await this.finish(jobId, 'cancelled', null, at);
  }

  async markFailed(jobId: string, failure: JobFailure, at: Date): Promise<void> {
    await this.finish(jobId, 'failed', failure, at);
  }

  async reschedule(jobId: string, runAfter: Date, failure: JobFailure, at: Date): Promise<void> {
    await this.em.query(
      `UPDATE analysis_jobs SET status = 'pending', run_after = $2, lease_owner = NULL, lease_expires_at = NULL,
              last_error_code = $3, last_error_message = $4, updated_at = $5
        WHERE id = $1`,
      [jobId, runAfter, failure.code, failure.message, at],
    );
  }

  async release(jobId: string, at: Date): Promise<void> {
    await this.em.query(
      `UPDATE analysis_jobs SET status = 'pending', run_after = $2, lease_owner = NULL, lease_expires_at = NULL,
              attempts = greatest(attempts - 1, 0), updated_at = $2
        WHERE id = $1`,
      [jobId, at],
    );
  }

  async lastFailure(storyId: string): Promise<AnalysisJob | undefined> {
    const rows: JobRow[] = await this.em.query(
      `SELECT * FROM analysis_jobs WHERE story_id = $1 AND status = 'failed' ORDER BY completed_at DESC, id DESC LIMIT 1`,
      [storyId],
    );
    return rows[0] ? toJob(rows[0]) : undefined;
  }

  private async finish(jobId: string, status: 'succeeded' | 'failed' | 'cancelled', failure: JobFailure | null, at: Date): Promise<void> {
    await this.em.query(
      `UPDATE analysis_jobs SET status = $2, lease_owner = NULL, lease_expires_at = NULL, completed_at = $3, updated_at = $3,
              last_error_code = coalesce($4, last_error_code), last_error_message = coalesce($5, last_error_message)
        WHERE id = $1`,
      [jobId, status, at, failure?.code ?? null, failure?.message ?? null],
    );
  }
}
