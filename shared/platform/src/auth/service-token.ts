import { uuidv7 } from '@storytelling/kernel';
import { currentContext, runWithContext } from '../context/request-context.js';

/**
 * SEAM — service tokens (ARCHITECTURE.md §5: "internal calls (consumers, sagas) use service
 * tokens"). Not implemented yet; this fixes where it plugs in:
 *
 * - A `ServiceTokenSource` yields a short-lived RS256 JWT for this service, issued by identity
 *   (planned: `sub: "service:<name>"`, `role: "service"`, `aud` = the callee), cached until near
 *   expiry. A consumer or saga that calls another service wraps the call in `withServiceToken`,
 *   which puts the token where platform gRPC clients read the bearer token (currentContext()).
 * - Receivers verify it with the same AccessTokenVerifier (same JWKS); authorisation code
 *   recognises `role === 'service'`.
 * Until identity issues them, `noServiceToken` makes such calls anonymous (only public RPCs work).
 */
export interface ServiceTokenSource {
  /** A bearer token for calls to `audience` (a service name), or undefined when none is available. */
  token(audience: string): Promise<string | undefined>;
}

export const noServiceToken: ServiceTokenSource = {
  token: async () => undefined,
};

/** Runs `fn` with the service's token as the bearer token of outgoing calls (keeps the correlation id). */
export async function withServiceToken<T>(source: ServiceTokenSource, audience: string, fn: () => Promise<T>): Promise<T> {
  const token = await source.token(audience);
  const parent = currentContext();
  const context = { ...(parent ?? { correlationId: uuidv7() }) };
  if (token === undefined) delete context.bearerToken;
  else context.bearerToken = token;
  return runWithContext(context, fn);
}
