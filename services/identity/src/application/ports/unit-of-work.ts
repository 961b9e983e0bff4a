import type { UnitOfWorkPort } from '@storytelling/kernel';
import type { IdempotencyOptions, IdempotentRequest } from '@storytelling/platform';
import type { IdentityRepositories } from '../../domain/index.js';

/**
 * identity's repositories bound to one database transaction. Everything `run`'s work does
 * through `repos`, including the outbox rows of the aggregates it saves, commits or rolls back
 * together; `run` joins the transaction already open around it (ambient, ADR 0020) unless told
 * `requires_new`, and `reader` reads in that transaction when there is one. No retries.
 */
export interface IdentityUnitOfWork extends UnitOfWorkPort<IdentityRepositories> {
  /**
   * Like `run`, guarded by the request's Idempotency-Key (platform withIdempotency, same
   * transaction): a replay returns the first result without running `work`.
   */
  runIdempotent<T>(request: IdempotentRequest, work: (repos: IdentityRepositories) => Promise<T>, options?: IdempotencyOptions<T>): Promise<T>;
}
