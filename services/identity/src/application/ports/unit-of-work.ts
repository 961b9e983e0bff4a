import type { IdempotencyOptions, IdempotentRequest } from '@storytelling/platform';
import type { IdentityRepositories } from '../../domain/index.js';

/**
 * One database transaction. Everything `work` does through `repos`, including the outbox rows of
 * the aggregates it saves, commits or rolls back together. `work` may run more than once only if
 * the implementation says so (this one does not retry).
 */
export interface IdentityUnitOfWork {
  run<T>(work: (repos: IdentityRepositories) => Promise<T>): Promise<T>;
  /**
   * Like `run`, guarded by the request's Idempotency-Key (platform withIdempotency, same
   * transaction): a replay returns the first result without running `work`.
   */
  runIdempotent<T>(request: IdempotentRequest, work: (repos: IdentityRepositories) => Promise<T>, options?: IdempotencyOptions<T>): Promise<T>;
  /** Repositories outside any transaction, for reads. */
  readonly reader: IdentityRepositories;
}
