import { PROTO_SERVICES } from '@storytelling/contracts';
import type { Observable } from 'rxjs';
import type { ReadinessCheck } from '../health/readiness.js';
import { createGrpcClient } from '../rpc/client.js';
import type { GrpcMetadata } from '../rpc/grpc.js';
import { AccessTokenVerifier, type AccessTokenVerifierOptions, type JsonWebKeySetLike } from './access-token-verifier.js';

/** The one identity RPC a verifier needs (a structural slice of identity.IdentityServiceClient). */
interface JwksClient {
  getJwks(request: Record<string, never>, metadata?: GrpcMetadata): Observable<JsonWebKeySetLike>;
}

export interface IdentityTokenVerifierOptions extends Omit<AccessTokenVerifierOptions, 'jwks'> {
  /** identity's gRPC address, `host:port` (IDENTITY_GRPC_URL). */
  identityUrl: string;
  /** Deadline of the GetJwks call (GRPC_DEADLINE_MS); default 5000. */
  deadlineMs?: number;
}

export interface IdentityTokenVerifier {
  /** Verifies access tokens against identity's keys (fetched with GetJwks, cached, refetched on rotation). */
  readonly verifier: AccessTokenVerifier;
  /** Readiness of the identity channel (register it where identity is a required dependency). */
  readinessCheck(name?: string): ReadinessCheck;
  close(): void;
}

/**
 * For backend services that must know who calls them (ARCHITECTURE.md §5: "services verify it
 * again"): an AccessTokenVerifier whose keys come from identity's GetJwks over gRPC. Keys are
 * fetched on first use, not at start, so a service boots while identity is still starting.
 * (The gateway keeps its own key store for passport-jwt.)
 */
export function createIdentityTokenVerifier(options: IdentityTokenVerifierOptions): IdentityTokenVerifier {
  const { identityUrl, deadlineMs, ...verifierOptions } = options;
  // The channel opens on first use, so a service whose start fails before shutdown hooks exist
  // leaves no channel behind.
  let client: ReturnType<typeof createGrpcClient<JwksClient>> | undefined;
  const connect = () => (client ??= createGrpcClient<JwksClient>(PROTO_SERVICES.identity, { url: identityUrl, deadlineMs: deadlineMs ?? 5000 }));
  const verifier = new AccessTokenVerifier({
    ...verifierOptions,
    jwks: () => connect().getJwks({}),
  });
  return {
    verifier,
    readinessCheck: (name = 'identity') => ({ name, check: () => connect().readinessCheck(name).check() }),
    close: () => {
      client?.close();
      client = undefined;
    },
  };
}
