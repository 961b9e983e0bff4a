export type LeasedJobStatus = 'pending' | 'running' | 'succeeded' | 'failed' | 'cancelled';

/**
 * What every durable job of a leased queue is (the platform's LeasedJobTable keeps them): a
 * running job belongs to the worker named in `leaseOwner` until `leaseExpiresAt`; after that any
 * worker may claim it again (the first one crashed or hung). A service's job adds what it is about.
 */
export interface LeasedJob {
  id: string;
  status: LeasedJobStatus;
  /** Claims so far, this one included. */
  attempts: number;
  runAfter: Date;
  leaseOwner: string | null;
  leaseExpiresAt: Date | null;
  lastErrorCode: string | null;
  lastErrorMessage: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** Why a job failed or went back to wait (kept as its last error). */
export interface JobFailure {
  code: string;
  message: string;
}
