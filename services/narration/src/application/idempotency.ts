import { currentContext, type IdempotencyOptions, type IdempotentRequest } from '@storytelling/platform';
import type { IdempotentUnitOfWork } from './ports/index.js';

const NOT_ANSWERED = Symbol('not answered yet');

/**
 * The first answer to the Idempotency-Key of the call being served, looked up before a use case's
 * slow or state-dependent steps (story over gRPC, CheckQuota, the audio tools), so a retry neither
 * repeats them nor is refused by what changed since (a quota the first request used up, a voice
 * now training). `undefined`: no key, or a key not answered yet — go on, and record the effect
 * with `runIdempotent`, which also settles two retries racing each other.
 * It is `runIdempotent` in a transaction of its own whose work never runs: a key not answered
 * yet is inserted and rolled back with it (the platform's withIdempotency decides, expiry included).
 * @throws IdempotencyKeyReusedError (409 IDEMPOTENCY_KEY_REUSED) when the key came with another body.
 */
export async function firstAnswer<T>(uow: IdempotentUnitOfWork<unknown>, request: IdempotentRequest, options: IdempotencyOptions<T> = {}): Promise<{ answer: T } | undefined> {
  if (!currentContext()?.idempotencyKey) return undefined;
  try {
    return { answer: await uow.runIdempotent<T>(request, () => Promise.reject(NOT_ANSWERED), { ...options, propagation: 'requires_new' }) };
  } catch (err) {
    if (err === NOT_ANSWERED) return undefined;
    throw err;
  }
}
