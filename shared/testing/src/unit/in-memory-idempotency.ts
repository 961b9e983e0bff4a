// The platform's withIdempotency over a table of an in-memory unit of work: the key commits or
// rolls back with the effect, as idempotency_keys does with the transaction.
import type { Propagation, UnitOfWorkPort } from '@storytelling/kernel';
import { IDEMPOTENCY_TTL_MS, IdempotencyKeyReusedError, currentContext, requestFingerprint, type IdempotencyOptions, type IdempotentRequest } from '@storytelling/platform';

/** (principal, scope, key) → the request's fingerprint, the first answer as JSON, and when the key is forgotten. */
export type IdempotencyKeyTable = Map<string, { fingerprint: string; response: unknown; expiresAt: Date }>;

/**
 * withIdempotency's rules over `keys`, a table of the unit of work `work` runs in (call it inside
 * that unit, so a failure rolls the key back with the rest):
 * - no key (option `key`, else the request context's Idempotency-Key): just `work`;
 * - same (principal, scope, key), same body (SHA-256 of its canonical JSON): the first answer as
 *   stored (JSON; `revive` rebuilds it), without running `work`;
 * - same key, other body: IdempotencyKeyReusedError;
 * - a failure is not remembered (nothing is written before `work` succeeds): a retry runs again;
 * - a key older than `ttlMs` (24 h; `now` is the clock) is taken over as if new.
 */
export async function idempotentInMemory<T>(keys: IdempotencyKeyTable, request: IdempotentRequest, work: () => Promise<T>, options: IdempotencyOptions<T> = {}): Promise<T> {
  const key = options.key ?? currentContext()?.idempotencyKey;
  if (key === undefined || key === '') return work();
  const now = (options.now ?? (() => new Date()))();
  const id = JSON.stringify([request.principal, request.scope, key]);
  const fingerprint = requestFingerprint(request.body);
  const stored = keys.get(id);
  if (stored && stored.expiresAt > now) {
    if (stored.fingerprint !== fingerprint) throw new IdempotencyKeyReusedError();
    return options.revive ? options.revive(stored.response) : (stored.response as T);
  }
  const result = await work();
  keys.set(id, {
    fingerprint,
    response: JSON.parse(JSON.stringify(result ?? null)) as unknown,
    expiresAt: new Date(now.getTime() + (options.ttlMs ?? IDEMPOTENCY_TTL_MS)),
  });
  return result;
}

/**
 * `runIdempotent` of an in-memory unit of work whose bound repositories carry its key table
 * (`idempotencyKeys`, copied and committed with the unit's other tables): `work` in a unit
 * (`propagation` as the unit's), guarded by idempotentInMemory.
 */
export function runIdempotentInMemory<R extends { idempotencyKeys: IdempotencyKeyTable }, T>(
  uow: UnitOfWorkPort<R>,
  request: IdempotentRequest,
  work: (repos: R) => Promise<T>,
  { propagation, ...options }: IdempotencyOptions<T> & { propagation?: Propagation } = {},
): Promise<T> {
  return uow.run((repos) => idempotentInMemory(repos.idempotencyKeys, request, () => work(repos), options), propagation ? { propagation } : {});
}
