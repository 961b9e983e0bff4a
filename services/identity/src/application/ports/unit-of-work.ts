import type { IdentityRepositories } from '../../domain/index.js';

/**
 * One database transaction. Everything `work` does through `repos`, including the outbox rows of
 * the aggregates it saves, commits or rolls back together. `work` may run more than once only if
 * the implementation says so (this one does not retry).
 */
export interface IdentityUnitOfWork {
  run<T>(work: (repos: IdentityRepositories) => Promise<T>): Promise<T>;
  /** Repositories outside any transaction, for reads. */
  readonly reader: IdentityRepositories;
}
