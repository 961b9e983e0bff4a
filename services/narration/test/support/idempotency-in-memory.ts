// The platform's withIdempotency rules over a table of an in-memory unit of work (the key commits
// or rolls back with the effect, as idempotency_keys does with the transaction), for the
// in-memory units of work of voices and narrations.
import type { Propagation, UnitOfWorkPort } from '@storytelling/kernel';
import { IdempotencyKeyReusedError, currentContext, requestFingerprint, type IdempotencyOptions, type IdempotentRequest } from '@storytelling/platform';

/** (principal, scope, key) → the request's fingerprint and the first answer, as JSON. */
export type IdempotencyKeyTable = Map<string, { fingerprint: string; response: unknown }>;

/** `runIdempotent` of an in-memory unit whose bound repositories carry its key table. */
export function runIdempotentInMemory<R extends { idempotencyKeys: IdempotencyKeyTable }, T>(
  uow: UnitOfWorkPort<R>,
  request: IdempotentRequest,
  work: (repos: R) => Promise<T>,
  { propagation, ...options }: IdempotencyOptions<T> & { propagation?: Propagation } = {},
): Promise<T> {
  return uow.run(async (repos) => {
    const key = options.key ?? currentContext()?.idempotencyKey;
    if (key === undefined || key === '') return work(repos);
    const id = JSON.stringify([request.principal, request.scope, key]);
    const fingerprint = requestFingerprint(request.body);
    const stored = repos.idempotencyKeys.get(id);
    if (stored) {
      if (stored.fingerprint !== fingerprint) throw new IdempotencyKeyReusedError();
      return options.revive ? options.revive(stored.response) : (stored.response as T);
    }
    const result = await work(repos);
    repos.idempotencyKeys.set(id, { fingerprint, response: JSON.parse(JSON.stringify(result ?? null)) as unknown });
    return result;
  }, propagation ? { propagation } : {});
}
