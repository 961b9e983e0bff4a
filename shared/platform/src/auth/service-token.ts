import { PROTO_SERVICES } from '@storytelling/contracts';
import { DomainError, uuidv7 } from '@storytelling/kernel';
import type { Observable } from 'rxjs';
import { str } from '../config/schema.js';
import { currentContext, runWithContext } from '../context/request-context.js';
import { createGrpcClient } from '../rpc/client.js';
import type { GrpcMetadata } from '../rpc/grpc.js';

/**
 * Service tokens (ARCHITECTURE.md §5: "internal calls (consumers, sagas) use service tokens";
 * docs/adr/0016-service-tokens.md):
 *
 * - A `ServiceTokenSource` yields a short-lived RS256 JWT for this service, issued by identity's
 *   IssueServiceToken (`sub: "service:<name>"`, `role: "service"`, `aud` = the callee's name),
 *   cached until shortly before expiry. A consumer or saga that calls another service wraps the
 *   call in `withServiceToken`, which puts the token where platform gRPC clients read the bearer
 *   token (currentContext()).
 * - Receivers verify it with the same AccessTokenVerifier (same JWKS), accepting their own name
 *   as an audience; authorisation code recognises `role === 'service'`.
 * `noServiceToken` makes such calls anonymous (only public RPCs work).
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

/** The role claim of service tokens. */
export const SERVICE_TOKEN_ROLE = 'service';

/** `sub` of a service token for `service`. */
export function serviceSubject(service: string): string {
  return `service:${service}`;
}

/** A caller's secret for IssueServiceToken (`SERVICE_TOKEN_SECRET` or `SERVICE_TOKEN_SECRET_FILE`). */
export const serviceTokenConfigSchema = {
  SERVICE_TOKEN_SECRET: str({ minLength: 16 })
    .secret()
    .optional()
    .describe("this service's secret for identity's IssueServiceToken (client credentials); identity holds its SHA-256 in SERVICE_CREDENTIALS"),
};

/** The one identity RPC a token source needs (a structural slice of identity.IdentityServiceClient). */
interface ServiceTokenClient {
  issueServiceToken(
    request: { service: string; secret: string; audience: string },
    metadata?: GrpcMetadata,
  ): Observable<{ accessToken: string; expiresIn: number }>;
}

export interface ServiceTokenSourceOptions {
  /** identity's gRPC address (IDENTITY_GRPC_URL). */
  identityUrl: string;
  /** This service's name (the token's `sub` is `service:<name>`). */
  service: string;
  /** SERVICE_TOKEN_SECRET. */
  secret: string;
  /** Deadline of the IssueServiceToken call (GRPC_DEADLINE_MS); default 5000. */
  deadlineMs?: number;
  /** Clock (ms since epoch), for tests. */
  now?: () => number;
}

/** A ServiceTokenSource backed by identity: always a token (or a rejection), and a channel to close. */
export interface IdentityServiceTokenSource extends ServiceTokenSource {
  token(audience: string): Promise<string>;
  close(): void;
}

interface CachedToken {
  token: string;
  /** Renew from this instant on (ms). */
  renewAt: number;
}

/**
 * Service tokens from identity, one per audience, cached until 80 % of their lifetime (at most
 * 60 s before expiry), with one call in flight per audience. A refused secret is
 * UNAUTHENTICATED (INVALID_SERVICE_CREDENTIALS) and identity being unreachable UNAVAILABLE: both
 * reject, so a consumer's retry policy decides what happens to the message.
 */
export function createServiceTokenSource(options: ServiceTokenSourceOptions): IdentityServiceTokenSource {
  const client = createGrpcClient<ServiceTokenClient>(PROTO_SERVICES.identity, { url: options.identityUrl, deadlineMs: options.deadlineMs ?? 5000 });
  const now = options.now ?? Date.now;
  const cache = new Map<string, CachedToken>();
  const inflight = new Map<string, Promise<string>>();

  const fetchToken = async (audience: string): Promise<string> => {
    const requestedAt = now();
    let response: { accessToken: string; expiresIn: number };
    try {
      // Outside the caller's context: the issuing call must not carry a user's bearer token.
      response = await runWithContext({ correlationId: currentContext()?.correlationId ?? uuidv7() }, () =>
        client.issueServiceToken({ service: options.service, secret: options.secret, audience }),
      );
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      if (code === 16) throw new DomainError('unauthenticated', 'INVALID_SERVICE_CREDENTIALS', `identity refused the credentials of ${options.service}`);
      throw new DomainError('unavailable', 'SERVICE_TOKEN_UNAVAILABLE', 'identity did not issue a service token');
    }
    const lifetimeMs = Math.max(0, response.expiresIn * 1000);
    cache.set(audience, { token: response.accessToken, renewAt: requestedAt + Math.max(lifetimeMs * 0.8, lifetimeMs - 60_000) });
    return response.accessToken;
  };

  return {
    async token(audience: string): Promise<string> {
      const cached = cache.get(audience);
      if (cached && now() < cached.renewAt) return cached.token;
      let pending = inflight.get(audience);
      if (!pending) {
        pending = fetchToken(audience).finally(() => inflight.delete(audience));
        inflight.set(audience, pending);
      }
      return pending;
    },
    close: () => client.close(),
  };
}
