import { returnedRows } from '@storytelling/platform';
import type { EntityManager } from 'typeorm';
import type { VoiceTrainingFailure, VoiceTrainingJob, VoiceTrainingJobRepository, VoiceTrainingJobStatus } from '../../domain/index.js';

interface JobRow {
  id: string;
  voice_id: string;
  status: VoiceTrainingJobStatus;
  attempts: number;
  run_after: Date;
  lease_owner: string | null;
  lease_expires_at: Date | null;
  last_error_code: string | null;
  last_error_message: string | null;
  created_at: Date;
  updated_at: Date;
}

function toJob(r: JobRow): VoiceTrainingJob {
  return {
    id: r.id,
    voiceId: r.voice_id,
    status: r.status,
    attempts: r.attempts,
    runAfter: r.run_after,
    leaseOwner: r.lease_owner,
    leaseExpiresAt: r.lease_expires_at,
    lastErrorCode: r.last_error_code,
    lastErrorMessage: r.last_error_message,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/** The voice training queue (table voice_training_jobs): SKIP LOCKED claims with leases, as story's analysis jobs. */
export class SqlVoiceTrainingJobRepository implements VoiceTrainingJobRepository {
  constructor(private readonly em: EntityManager) {}

  async enqueue(job: { id: string; voiceId: string; at: Date }): Promise<void> {
    await this.em.query(
      `INSERT INTO voice_training_jobs (id, voice_id, status, attempts, run_after, created_at, updated_at) VALUES ($1, $2, 'pending', 0, $3, $3, $3)`,
      [job.id, job.voiceId, job.at],
    );
  }

  async claim(workerId: string, leaseMs: number): Promise<VoiceTrainingJob | undefined> {
    // Database time decides due-ness and leases, so replicas with skewed clocks agree.
    const result: unknown = await this.em.query(
      `UPDATE voice_training_jobs j
          SET status = 'running', lease_owner = $1, lease_expires_at = clock_timestamp() + make_interval(secs => $2::double precision / 1000),
              attempts = j.attempts + 1, updated_at = clock_timestamp()
         FROM (SELECT id FROM voice_training_jobs
                WHERE (status = 'pending' AND run_after <= clock_timestamp()) OR (status = 'running' AND lease_expires_at < clock_timestamp())
                ORDER BY run_after, id LIMIT 1 FOR UPDATE SKIP LOCKED) due
        WHERE j.id = due.id
        RETURNING j.*`,
      [workerId, leaseMs],
    );
    const [row] = returnedRows<JobRow>(result);
    return row ? toJob(row) : undefined;
  }

  async lockOwned(jobId: string, workerId: string): Promise<VoiceTrainingJob | undefined> {
    const rows: JobRow[] = await this.em.query(`SELECT * FROM voice_training_jobs WHERE id = $1 AND status = 'running' AND lease_owner = $2 FOR UPDATE`, [jobId, workerId]);
    return rows[0] ? toJob(rows[0]) : undefined;
  }

  async finish(jobId: string, status: 'succeeded' | 'failed' | 'cancelled', failure: VoiceTrainingFailure | null, at: Date): Promise<void> {
    await this.em.query(
      `UPDATE voice_training_jobs SET status = $2, lease_owner = NULL, lease_expires_at = NULL, completed_at = $3, updated_at = $3,
              last_error_code = coalesce($4, last_error_code), last_error_message = coalesce($5, last_error_message)
        WHERE id = $1`,
      [jobId, status, at, failure?.code ?? null, failure?.message ?? null],
    );
  }

  async reschedule(jobId: string, runAfter: Date, failure: VoiceTrainingFailure, at: Date): Promise<void> {
    await this.em.query(
      `UPDATE voice_training_jobs SET status = 'pending', run_after = $2, lease_owner = NULL, lease_expires_at = NULL,
              last_error_code = $3, last_error_message = $4, updated_at = $5
        WHERE id = $1`,
      [jobId, runAfter, failure.code, failure.message, at],
    );
  }

  async release(jobId: string, at: Date): Promise<void> {
    await this.em.query(
      `UPDATE voice_training_jobs SET status = 'pending', run_after = $2, lease_owner = NULL, lease_expires_at = NULL,
              attempts = greatest(attempts - 1, 0), updated_at = $2
        WHERE id = $1`,
      [jobId, at],
    );
  }
}
