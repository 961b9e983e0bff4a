/**
 * A problem found in a request before routing (a body that does not parse, a malformed
 * Idempotency-Key) that must not be answered before authentication: an anonymous caller of a
 * protected route learns 401, not how its body was judged (issue 12, item 7). The middleware
 * records it here and lets the request through; DeferredProblemGuard throws it after the
 * authentication, rate-limit and role guards. The first problem recorded wins.
 */
const DEFERRED = Symbol('deferredRequestProblem');

interface WithDeferred {
  [DEFERRED]?: unknown;
}

export function deferProblem(req: object, problem: unknown): void {
  const r = req as WithDeferred;
  if (r[DEFERRED] === undefined) r[DEFERRED] = problem;
}

export function deferredProblemOf(req: object): unknown {
  return (req as WithDeferred)[DEFERRED];
}
