import type { AuthenticatedUser } from './authenticated-user.js';

export interface VerifiedTokenCacheOptions {
  /** How long a verified token is trusted without verifying it again; 0 disables the cache. */
  ttlMs: number;
  /** Bound on cached tokens (the oldest entry is dropped first). */
  maxEntries: number;
  now?: () => number;
}

/**
 * Access tokens already verified by this gateway (signature, issuer, audience, expiry, claims),
 * by their exact text: a client sends the same token with every request for up to 15 minutes,
 * and RS256 verification through passport-jwt/jsonwebtoken was the largest single cost of a
 * cheap request (docs/benchmarks.md, bench:stories). An entry lives until the token's `exp` or
 * `ttlMs`, whichever comes first, so it never outlives the token, and a signing key withdrawn
 * from the JWKS stops being honoured at most `ttlMs` later (the JWKS cache alone already keeps
 * keys for JWKS_CACHE_TTL_MS). Failures are never cached: a bad token costs a verification.
 */
export class VerifiedTokenCache {
  private readonly entries = new Map<string, { user: AuthenticatedUser; until: number }>();
  private readonly now: () => number;

  constructor(private readonly options: VerifiedTokenCacheOptions) {
    this.now = options.now ?? Date.now;
  }

  get(token: string): AuthenticatedUser | undefined {
    if (this.options.ttlMs <= 0) return undefined;
    const entry = this.entries.get(token);
    if (!entry) return undefined;
    if (entry.until <= this.now()) {
      this.entries.delete(token);
      return undefined;
    }
    return entry.user;
  }

  set(token: string, user: AuthenticatedUser): void {
    if (this.options.ttlMs <= 0 || this.options.maxEntries <= 0) return;
    const now = this.now();
    const until = Math.min(now + this.options.ttlMs, user.expiresAt !== undefined ? user.expiresAt * 1000 : Number.POSITIVE_INFINITY);
    if (until <= now) return;
    if (this.entries.size >= this.options.maxEntries && !this.entries.has(token)) {
      // Map iterates in insertion order: drop the oldest.
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(token, { user, until });
  }

  get size(): number {
    return this.entries.size;
  }
}
