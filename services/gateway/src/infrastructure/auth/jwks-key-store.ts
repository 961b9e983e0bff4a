import { createPublicKey, type KeyObject } from 'node:crypto';
import { getLogger } from '@storytelling/platform';
import type { Jwks } from '../../application/identity.port.js';

const log = getLogger('jwks');

/** The token names a key we do not have (and a refetch did not bring it). */
export class UnknownSigningKeyError extends Error {
  constructor(readonly kid: string) {
    super(`unknown signing key ${kid}`);
    this.name = 'UnknownSigningKeyError';
  }
}

/** identity could not be asked for its keys and none are cached: the gateway cannot decide. */
export class JwksUnavailableError extends Error {
  constructor(cause: unknown) {
    super(`signing keys unavailable: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'JwksUnavailableError';
  }
}

export interface JwksKeyStoreOptions {
  /** A key set older than this is refreshed on next use (stale keys stay usable if that fails). */
  cacheTtlMs: number;
  /** At most one refetch per interval is caused by unknown `kid`s (no amplification of garbage). */
  minRefetchIntervalMs: number;
  now?: () => number;
}

/**
 * Verification keys for access tokens, fetched from identity (GetJwks over gRPC) and cached by
 * `kid` as parsed KeyObjects (what passport-jwt hands to jsonwebtoken; a PEM string would be
 * parsed again on every verification). Only RSA signing keys for RS256 are kept. Concurrent
 * misses share one fetch.
 */
export class JwksKeyStore {
  private keys = new Map<string, KeyObject>();
  private fetchedAt = Number.NEGATIVE_INFINITY;
  private lastAttemptAt = Number.NEGATIVE_INFINITY;
  private inflight: Promise<void> | undefined;
  private lastError: unknown;
  private readonly now: () => number;

  constructor(
    private readonly fetchJwks: () => Promise<Jwks>,
    private readonly options: JwksKeyStoreOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  /** The public key for `kid`. @throws UnknownSigningKeyError, JwksUnavailableError. */
  async keyFor(kid: string): Promise<KeyObject> {
    if (this.keys.size === 0) {
      // Nothing usable yet: fetch, but never more often than the refetch interval, so a down
      // identity is not hammered by every request (they answer 503 meanwhile).
      if (!this.inflight && this.now() - this.lastAttemptAt < this.options.minRefetchIntervalMs) {
        throw new JwksUnavailableError(this.lastError ?? new Error('identity published no usable signing key'));
      }
      await this.refresh().catch((err: unknown) => {
        throw new JwksUnavailableError(err);
      });
      if (this.keys.size === 0) throw new JwksUnavailableError(new Error('identity published no usable signing key'));
    } else if (this.now() - this.fetchedAt >= this.options.cacheTtlMs) {
      await this.refresh().catch((err: unknown) => {
        log.warn({ err }, 'JWKS refresh failed; keeping the cached keys');
      });
    }
    let key = this.keys.get(kid);
    if (key === undefined && this.now() - this.lastAttemptAt >= this.options.minRefetchIntervalMs) {
      await this.refresh().catch((err: unknown) => {
        log.warn({ err, kid }, 'JWKS refetch for an unknown kid failed');
      });
      key = this.keys.get(kid);
    }
    if (key === undefined) throw new UnknownSigningKeyError(kid);
    return key;
  }

  /** Number of cached keys (for readiness and tests). */
  get size(): number {
    return this.keys.size;
  }

  private refresh(): Promise<void> {
    if (!this.inflight) {
      this.lastAttemptAt = this.now();
      this.inflight = this.load()
        .then(
          () => {
            this.lastError = undefined;
          },
          (err: unknown) => {
            this.lastError = err;
            throw err;
          },
        )
        .finally(() => {
          this.inflight = undefined;
        });
    }
    return this.inflight;
  }

  private async load(): Promise<void> {
    const jwks = await this.fetchJwks();
    const next = new Map<string, KeyObject>();
    for (const jwk of jwks.keys ?? []) {
      if (jwk.kty !== 'RSA' || !jwk.kid || !jwk.n || !jwk.e) continue;
      if (jwk.alg && jwk.alg !== 'RS256') continue;
      if (jwk.use && jwk.use !== 'sig') continue;
      try {
        next.set(jwk.kid, createPublicKey({ key: { kty: 'RSA', n: jwk.n, e: jwk.e }, format: 'jwk' }));
      } catch (err) {
        log.warn({ err, kid: jwk.kid }, 'ignoring an unusable JWK');
      }
    }
    this.keys = next;
    this.fetchedAt = this.now();
    log.debug({ kids: [...next.keys()] }, 'JWKS loaded');
  }
}
