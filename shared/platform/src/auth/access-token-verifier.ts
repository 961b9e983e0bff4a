import { decodeProtectedHeader, errors as joseErrors, importJWK, jwtVerify, type JWK } from 'jose';
import { DomainError, UnauthenticatedError } from '@storytelling/kernel';
import { currentContext } from '../context/request-context.js';
import { getLogger } from '../logging/logger.js';
import { VerifiedTokenCache, type VerifiedTokenCacheOptions } from './verified-token-cache.js';

/** One public JWK as identity publishes it (GetJwks / /.well-known/jwks.json). */
export interface JsonWebKeyLike {
  kty: string;
  kid?: string;
  use?: string;
  alg?: string;
  n?: string;
  e?: string;
  crv?: string;
  x?: string;
  y?: string;
}

export interface JsonWebKeySetLike {
  keys: readonly JsonWebKeyLike[];
}

/** Who a verified access token speaks for. */
export interface AccessTokenClaims {
  userId: string;
  role: string;
  email: string;
  /** `jti`, when present. */
  tokenId?: string;
  expiresAt: Date;
}

export interface AccessTokenVerifierOptions {
  /** Where the keys come from: identity's GetJwks over gRPC, or identity's own key store. */
  jwks: () => Promise<JsonWebKeySetLike>;
  /** Expected `iss` (JWT_ISSUER). */
  issuer: string;
  /** Expected `aud` (one of). */
  audience: string | readonly string[];
  /** Leeway for exp/nbf/iat, seconds. Default 5. */
  clockToleranceSeconds?: number;
  /** Keys are refetched after this age (ms). Default 10 minutes. */
  cacheTtlMs?: number;
  /** A token with an unknown `kid` triggers a refetch at most this often (ms). Default 30 s. */
  minRefetchIntervalMs?: number;
  /**
   * Remember verified tokens (by hash) for up to `ttlMs`, never past their `exp`, at most
   * `maxEntries` (VERIFIED_TOKEN_CACHE_TTL_MS / VERIFIED_TOKEN_CACHE_SIZE). Absent or ttl 0: every
   * call verifies. Failures are never cached.
   */
  verifiedTokenCache?: Omit<VerifiedTokenCacheOptions, 'now'>;
  /** Clock (ms since epoch), for tests. */
  now?: () => number;
}

const MAX_TOKEN_LENGTH = 8192;

/** The token is missing, malformed, badly signed, for someone else, or expired. */
function invalid(message: string): UnauthenticatedError {
  return new UnauthenticatedError('INVALID_TOKEN', message);
}

/**
 * Verifies identity's RS256 access tokens (sub, role, email, iss, aud, iat, exp, jti; `kid` in the
 * header) against a JWKS fetched through an injected function. Only RS256 is accepted: `none`,
 * HS* (key-confusion with the public key) and every other alg are refused before any key lookup.
 * Keys are cached; an unknown `kid` (key rotation) refetches, rate-limited so a flood of forged
 * kids cannot hammer identity. If a refetch fails, the cached keys stay in use.
 *
 * Failures throw UnauthenticatedError (`INVALID_TOKEN` / `TOKEN_EXPIRED`, kind unauthenticated →
 * UNAUTHENTICATED → 401); no keys at all (identity unreachable on first use) throws
 * DomainError('unavailable', 'JWKS_UNAVAILABLE') → 503.
 */
export class AccessTokenVerifier {
  private keys: readonly JsonWebKeyLike[] = [];
  private fetchedAt = Number.NEGATIVE_INFINITY;
  private lastAttemptAt = Number.NEGATIVE_INFINITY;
  private inflight: Promise<void> | undefined;
  private readonly imported = new Map<string, Awaited<ReturnType<typeof importJWK>>>();
  private readonly now: () => number;
  private readonly log = getLogger('auth');
  private readonly verified: VerifiedTokenCache<AccessTokenClaims> | undefined;

  constructor(private readonly options: AccessTokenVerifierOptions) {
    this.now = options.now ?? Date.now;
    const cache = options.verifiedTokenCache ? new VerifiedTokenCache<AccessTokenClaims>({ ...options.verifiedTokenCache, now: this.now }) : undefined;
    this.verified = cache?.enabled ? cache : undefined;
  }

  async verify(token: string): Promise<AccessTokenClaims> {
    if (typeof token !== 'string' || token.length === 0) throw new UnauthenticatedError('UNAUTHENTICATED', 'authentication required');
    if (this.verified && token.length <= MAX_TOKEN_LENGTH) {
      const known = this.verified.get(token);
      if (known) return { ...known };
      const claims = await this.verifyUncached(token);
      this.verified.set(token, { ...claims }, claims.expiresAt.getTime());
      return claims;
    }
    return this.verifyUncached(token);
  }

  private async verifyUncached(token: string): Promise<AccessTokenClaims> {
    if (token.length > MAX_TOKEN_LENGTH || token.split('.').length !== 3) throw invalid('malformed token');

    let header: ReturnType<typeof decodeProtectedHeader>;
    try {
      header = decodeProtectedHeader(token);
    } catch {
      throw invalid('malformed token');
    }
    if (header.alg !== 'RS256') throw invalid(`algorithm ${String(header.alg)} is not accepted`);
    if (typeof header.kid !== 'string' || header.kid === '' || header.kid.length > 200) throw invalid('token has no key id');
    if (header.crit !== undefined) throw invalid('unsupported critical header');

    const key = await this.keyFor(header.kid);
    let payload: Awaited<ReturnType<typeof jwtVerify>>['payload'];
    try {
      ({ payload } = await jwtVerify(token, key, {
        algorithms: ['RS256'],
        issuer: this.options.issuer,
        audience: typeof this.options.audience === 'string' ? this.options.audience : [...this.options.audience],
        clockTolerance: this.options.clockToleranceSeconds ?? 5,
        requiredClaims: ['sub', 'exp', 'iat'],
        currentDate: new Date(this.now()),
      }));
    } catch (err) {
      if (err instanceof joseErrors.JWTExpired) throw new UnauthenticatedError('TOKEN_EXPIRED', 'token expired');
      if (err instanceof joseErrors.JWTClaimValidationFailed) throw invalid(`token claim ${err.claim} is not acceptable`);
      throw invalid('token signature is not valid');
    }
    const { sub, role, email, jti, exp } = payload as { sub?: unknown; role?: unknown; email?: unknown; jti?: unknown; exp?: unknown };
    if (typeof sub !== 'string' || sub === '') throw invalid('token has no subject');
    if (typeof role !== 'string' || role === '') throw invalid('token has no role');
    if (typeof email !== 'string') throw invalid('token has no email');
    const claims: AccessTokenClaims = { userId: sub, role, email, expiresAt: new Date(Number(exp) * 1000) };
    if (typeof jti === 'string') claims.tokenId = jti;
    return claims;
  }

  /** Drops the cached keys (tests, or after identity announced a rotation). */
  invalidate(): void {
    this.keys = [];
    this.fetchedAt = Number.NEGATIVE_INFINITY;
    this.lastAttemptAt = Number.NEGATIVE_INFINITY;
    this.imported.clear();
    this.verified?.clear();
  }

  private async keyFor(kid: string): Promise<Awaited<ReturnType<typeof importJWK>>> {
    const age = this.now() - this.fetchedAt;
    if (age > (this.options.cacheTtlMs ?? 10 * 60_000)) await this.refetch(true);
    let jwk = this.find(kid);
    if (!jwk && this.now() - this.lastAttemptAt >= (this.options.minRefetchIntervalMs ?? 30_000)) {
      await this.refetch(false);
      jwk = this.find(kid);
    }
    if (!jwk) {
      if (this.keys.length === 0) throw new DomainError('unavailable', 'JWKS_UNAVAILABLE', 'token keys are not available');
      throw invalid('token key is unknown');
    }
    const cached = this.imported.get(kid);
    if (cached) return cached;
    try {
      const key = await importJWK({ ...(jwk as JWK), alg: 'RS256' }, 'RS256');
      this.imported.set(kid, key);
      return key;
    } catch {
      throw invalid('token key is unusable');
    }
  }

  private find(kid: string): JsonWebKeyLike | undefined {
    return this.keys.find(
      (k) => k.kid === kid && k.kty === 'RSA' && (k.alg === undefined || k.alg === 'RS256') && (k.use === undefined || k.use === 'sig'),
    );
  }

  /** Single-flight refetch; keeps the old keys if it fails (unless there are none: then it throws later). */
  private refetch(expired: boolean): Promise<void> {
    this.inflight ??= (async () => {
      this.lastAttemptAt = this.now();
      try {
        const set = await this.options.jwks();
        if (!set || !Array.isArray(set.keys)) throw new Error('JWKS has no keys array');
        this.keys = set.keys;
        this.fetchedAt = this.now();
        this.imported.clear();
      } catch (err) {
        this.log.warn({ err: err instanceof Error ? err.message : String(err), expired }, 'JWKS refetch failed; keeping cached keys');
      } finally {
        this.inflight = undefined;
      }
    })();
    return this.inflight;
  }
}

/**
 * The caller of the current unit of work, verified: reads the bearer token that the gRPC context
 * interceptor put into currentContext(). Throws UnauthenticatedError without one.
 */
export async function authenticateCaller(verifier: AccessTokenVerifier): Promise<AccessTokenClaims> {
  const token = currentContext()?.bearerToken;
  if (!token) throw new UnauthenticatedError('UNAUTHENTICATED', 'authentication required');
  return verifier.verify(token);
}
