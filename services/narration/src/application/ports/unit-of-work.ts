import type { Propagation, UnitOfWorkPort } from '@storytelling/kernel';
import type { IdempotencyOptions, IdempotentRequest } from '@storytelling/platform';
import type { NarrationRepositories } from '../../domain/index.js';

/**
 * A unit of work that also guards effects with the request's Idempotency-Key (API.md: every POST
 * that creates; docs/adr/0015-idempotency-keys-and-quota-bounds.md).
 */
export interface IdempotentUnitOfWork<R> extends UnitOfWorkPort<R> {
  /**
   * Like `run`, guarded by the Idempotency-Key of the call being served (the platform's
   * withIdempotency, in the same transaction as the effect): the first request under a key runs
   * `work` and its answer is kept with the effect; the same key with the same `request.body`
   * answers that first answer without running `work`; another body is IDEMPOTENCY_KEY_REUSED
   * (409). Failures are not remembered. Without a key it is `run`.
   */
  runIdempotent<T>(request: IdempotentRequest, work: (repos: R) => Promise<T>, options?: IdempotencyOptions<T> & { propagation?: Propagation }): Promise<T>;
}

/**
 * narration's repositories bound to one database transaction: `run` joins the transaction it is
 * called in (a translator's inbox transaction, a worker's pass) unless told `requires_new`;
 * `reader` reads in that transaction if there is one; `runIdempotent` for the POSTs that create.
 */
export type NarrationUnitOfWork = IdempotentUnitOfWork<NarrationRepositories>;

export const NARRATION_UNIT_OF_WORK = Symbol('narration.UnitOfWork');
