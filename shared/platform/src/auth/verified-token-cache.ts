import { hash } from 'node:crypto';
import { int } from '../config/schema.js';

export interface VerifiedTokenCacheOptions {
  /** How long a verified token is trusted without verifying it again; 0 disables the cache. */
  ttlMs: number;
  /** Bound on cached tokens (the oldest entry is dropped first); 0 disables the cache. */
  maxEntries: number;
  /** Clock (ms since epoch), for tests. */
  now?: () => number;
}

/** Defaults shared by the gateway and the services (VERIFIED_TOKEN_CACHE_TTL_MS / _SIZE). */
export const DEFAULT_VERIFIED_TOKEN_CACHE: Readonly<Pick<VerifiedTokenCacheOptions, 'ttlMs' | 'maxEntries'>> = { ttlMs: 60_000, maxEntries: 10_000 };

/**
 * Access tokens already verified by this process (signature, issuer, audience, expiry, claims),
 * keyed by a SHA-256 of the token text (the cache never holds a usable bearer token): a client
 * sends the same token with every request for up to 15 minutes, and RS256 verification is the
 * largest single cost of a cheap request (docs/benchmarks.md, bench:stories). An entry lives
 * until the token's `exp` or `ttlMs`, whichever comes first, so it never outlives the token,
 * and a signing key withdrawn from the JWKS stops being honoured at most `ttlMs` later.
 * Failures are never cached: a bad token costs a verification. Used by the gateway (around
 * passport-jwt) and by AccessTokenVerifier (`verifiedTokenCache` option: story and other services).
 */
export class VerifiedTokenCache<T> {
  private readonly entries = new Map<string, { value: T; until: number }>();
  private readonly now: () => number;

  constructor(private readonly options: VerifiedTokenCacheOptions) {
    this.now = options.now ?? Date.now;
  }

  get enabled(): boolean {
    return this.options.ttlMs > 0 && this.options.maxEntries > 0;
  }

  get(token: string): T | undefined {
    if (!this.enabled || this.entries.size === 0) return undefined;
    const key = VerifiedTokenCache.keyOf(token);
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.until <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  /** Remembers a verified token; `expiresAtMs` is the token's `exp` in ms (undefined: ttl only). */
  set(token: string, value: T, expiresAtMs: number | undefined): void {
    if (!this.enabled) return;
    const now = this.now();
    const until = Math.min(now + this.options.ttlMs, expiresAtMs ?? Number.POSITIVE_INFINITY);
    if (!(until > now)) return;
    const key = VerifiedTokenCache.keyOf(token);
    if (this.entries.size >= this.options.maxEntries && !this.entries.has(key)) {
      // Map iterates in insertion order: drop the oldest.
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(key, { value, until });
  }

  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }

  private static keyOf(token: string): string {
    // One-shot (Node ≥ 20.12): no Hash object per call.
    return hash('sha256', token, 'base64url');
  }
}

/** The environment of a process that caches verified tokens (gateway, story): spread into its config schema. */
export const verifiedTokenCacheConfigSchema = {
  VERIFIED_TOKEN_CACHE_TTL_MS: int({ min: 0, max: 300_000 })
    .default(DEFAULT_VERIFIED_TOKEN_CACHE.ttlMs)
    .describe('trust a verified access token this long before verifying it again (never past its exp; 0 disables)'),
  VERIFIED_TOKEN_CACHE_SIZE: int({ min: 0, max: 1_000_000 }).default(DEFAULT_VERIFIED_TOKEN_CACHE.maxEntries).describe('bound on cached verified tokens'),
};
