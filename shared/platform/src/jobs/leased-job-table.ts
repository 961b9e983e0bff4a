import type { JobFailure, LeasedJob, LeasedJobStatus } from '@storytelling/kernel';
import type { EntityManager } from 'typeorm';
import { returnedRows } from '../persistence/sql-rows.js';

/**
 * The columns every leased job table has (story's analysis_jobs, narration's narration_jobs and
 * voice_training_jobs): a table adds its own columns (what the job is about) next to these.
 */
export interface LeasedJobRow {
  id: string;
  status: LeasedJobStatus;
  /** Claims so far, the running one included. */
  attempts: number;
  run_after: Date;
  lease_owner: string | null;
  lease_expires_at: Date | null;
  last_error_code: string | null;
  last_error_message: string | null;
  created_at: Date;
  updated_at: Date;
  /** When the job finished (succeeded, failed, cancelled); null while it is pending or running. */
  completed_at: Date | null;
}

/** The lease columns as the kernel's LeasedJob (camelCase), for a repository's row → job mapping. */
export function leasedJobFields(r: LeasedJobRow): LeasedJob {
  return {
    id: r.id,
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

export interface LeasedJobTableOptions {
  /** An extra condition a due row `c` must meet to be claimed (SQL over the alias `c`; a constant, never input). */
  claimableWhen?: string;
}

/**
 * The lease mechanics of a job table, in one place: SKIP LOCKED claims of due jobs (pending and
 * due, or running with an expired lease), ownership checks that renew the lease, and the ways a
 * job ends or goes back. Database time decides due-ness and leases, so replicas with skewed
 * clocks agree. `table` is a constant of the repository using it, never input; the table has the
 * columns of LeasedJobRow. Every method runs on `em` (a transaction's manager, or the pool's:
 * a claim outside any transaction commits on its own).
 */
export class LeasedJobTable<R extends LeasedJobRow = LeasedJobRow> {
  constructor(
    private readonly em: EntityManager,
    private readonly table: string,
    private readonly options: LeasedJobTableOptions = {},
  ) {}

  /**
   * Claims one due job, the oldest due first, skipping rows other claimers hold: it becomes
   * running, owned by `workerId` until `leaseMs` from now (database clock), attempts + 1.
   */
  async claim(workerId: string, leaseMs: number): Promise<R | undefined> {
    const extra = this.options.claimableWhen ? ` AND (${this.options.claimableWhen})` : '';
    const result: unknown = await this.em.query(
      `UPDATE ${this.table} j
          SET status = 'running', lease_owner = $1, lease_expires_at = clock_timestamp() + make_interval(secs => $2::double precision / 1000),
              attempts = j.attempts + 1, updated_at = clock_timestamp()
         FROM (SELECT c.id FROM ${this.table} c
                WHERE ((c.status = 'pending' AND c.run_after <= clock_timestamp()) OR (c.status = 'running' AND c.lease_expires_at < clock_timestamp()))${extra}
                ORDER BY c.run_after, c.id LIMIT 1 FOR UPDATE SKIP LOCKED) due
        WHERE j.id = due.id
        RETURNING j.*`,
      [workerId, leaseMs],
    );
    return returnedRows<R>(result)[0];
  }

  /** The job, locked for the transaction, if `workerId` still holds its lease; renewed by `leaseMs` from now when given. */
  async lockOwned(jobId: string, workerId: string, leaseMs?: number): Promise<R | undefined> {
    const rows: R[] = await this.em.query(`SELECT * FROM ${this.table} WHERE id = $1 AND status = 'running' AND lease_owner = $2 FOR UPDATE`, [jobId, workerId]);
    if (rows[0] && leaseMs !== undefined) {
      await this.em.query(`UPDATE ${this.table} SET lease_expires_at = clock_timestamp() + make_interval(secs => $2::double precision / 1000) WHERE id = $1`, [jobId, leaseMs]);
    }
    return rows[0];
  }

  /** Extends `workerId`'s lease by `leaseMs` from now (the heartbeat). @returns false when it no longer holds it. */
  async renew(jobId: string, workerId: string, leaseMs: number): Promise<boolean> {
    const result: unknown = await this.em.query(
      `UPDATE ${this.table} SET lease_expires_at = clock_timestamp() + make_interval(secs => $3::double precision / 1000)
        WHERE id = $1 AND status = 'running' AND lease_owner = $2
        RETURNING id`,
      [jobId, workerId, leaseMs],
    );
    return returnedRows(result).length > 0;
  }

  /** Ends the job (lease dropped, completed_at set); a failure is remembered, otherwise the last one stays. */
  async finish(jobId: string, status: 'succeeded' | 'failed' | 'cancelled', failure: JobFailure | null, at: Date): Promise<void> {
    await this.em.query(
      `UPDATE ${this.table} SET status = $2, lease_owner = NULL, lease_expires_at = NULL, completed_at = $3, updated_at = $3,
              last_error_code = coalesce($4, last_error_code), last_error_message = coalesce($5, last_error_message)
        WHERE id = $1`,
      [jobId, status, at, failure?.code ?? null, failure?.message ?? null],
    );
  }

  /** Back to pending until `runAfter`, remembering why (the attempt counts). */
  async reschedule(jobId: string, runAfter: Date, failure: JobFailure, at: Date): Promise<void> {
    await this.em.query(
      `UPDATE ${this.table} SET status = 'pending', run_after = $2, lease_owner = NULL, lease_expires_at = NULL,
              last_error_code = $3, last_error_message = $4, updated_at = $5
        WHERE id = $1`,
      [jobId, runAfter, failure.code, failure.message, at],
    );
  }

  /** Handed back (shutdown): pending now, the interrupted attempt not counted. */
  async release(jobId: string, at: Date): Promise<void> {
    await this.em.query(
      `UPDATE ${this.table} SET status = 'pending', run_after = $2, lease_owner = NULL, lease_expires_at = NULL,
              attempts = greatest(attempts - 1, 0), updated_at = $2
        WHERE id = $1`,
      [jobId, at],
    );
  }
}
