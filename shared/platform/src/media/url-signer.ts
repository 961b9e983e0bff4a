import { createHmac, timingSafeEqual } from 'node:crypto';
import { systemClock, type Clock } from '@storytelling/kernel';
import { assertObjectKey } from './object-key.js';

export type SignatureCheck = 'ok' | 'missing' | 'tampered' | 'expired';

export interface UrlSignerOptions {
  /** Newest first: the first signs, every one verifies (rotation: prepend the new, drop the old later). */
  secrets: readonly string[];
  /** Path the signed links start with (API.md § Files). */
  basePath?: string;
  /** Lifetime when sign() is not given one: API.md's default of 15 minutes. */
  defaultTtlSeconds?: number;
  clock?: Clock;
}

const MIN_SECRET_LENGTH = 32;
// Domain separation: a signature made here is worthless for any other HMAC the platform computes.
const PURPOSE = 'storytelling-files-v1';
const SIGNATURE_BYTES = 32; // SHA-256

/**
 * Short-lived links to stored objects: `/files/<key>?expires=<epoch s>&signature=<base64url>`,
 * HMAC-SHA256 over the key and the expiry. The link needs no bearer token, so the signature is
 * the whole authorisation: it is compared in constant time and checked against every secret.
 */
export class UrlSigner {
  private readonly secrets: readonly Buffer[];
  private readonly basePath: string;
  private readonly defaultTtlSeconds: number;
  private readonly clock: Clock;

  constructor(options: UrlSignerOptions) {
    if (options.secrets.length === 0) throw new Error('UrlSigner needs at least one secret');
    // Say which secret is too short by position only: its value never goes into an error.
    options.secrets.forEach((secret, index) => {
      if (secret.length < MIN_SECRET_LENGTH) throw new Error(`UrlSigner secret #${index + 1} is shorter than ${MIN_SECRET_LENGTH} characters`);
    });
    this.secrets = options.secrets.map((secret) => Buffer.from(secret, 'utf8'));
    this.basePath = (options.basePath ?? '/files').replace(/\/+$/, '');
    this.defaultTtlSeconds = options.defaultTtlSeconds ?? 15 * 60;
    this.clock = options.clock ?? systemClock;
  }

  private mac(secret: Buffer, key: string, expires: number): Buffer {
    return createHmac('sha256', secret).update(`${PURPOSE}\n${key}\n${expires}`).digest();
  }

  /** The signed path and query for `key`, valid for `ttlSeconds` from now. */
  sign(key: string, ttlSeconds: number = this.defaultTtlSeconds): string {
    assertObjectKey(key);
    if (!Number.isSafeInteger(ttlSeconds) || ttlSeconds <= 0) throw new Error(`ttlSeconds must be a positive integer, got ${ttlSeconds}`);
    const expires = Math.floor(this.clock.now().getTime() / 1000) + ttlSeconds;
    const signature = this.mac(this.secrets[0]!, key, expires).toString('base64url');
    // Keys use a URL-safe charset (object-key.ts); encoding each segment is belt and braces.
    const path = key.split('/').map(encodeURIComponent).join('/');
    return `${this.basePath}/${path}?expires=${expires}&signature=${signature}`;
  }

  /**
   * Checks a link's query values for `key`. Anything not made by sign() with one of the secrets
   * (altered key, expiry or signature, malformed values) is 'tampered'; a genuine link past its
   * expiry is 'expired'.
   */
  verify(key: string, expires: string | number | null | undefined, signature: string | null | undefined, now: Date = this.clock.now()): SignatureCheck {
    if (expires === undefined || expires === null || expires === '' || !signature) return 'missing';
    const expiresText = String(expires);
    if (!/^\d{1,15}$/.test(expiresText) || !/^[A-Za-z0-9_-]+$/.test(signature)) return 'tampered';
    const given = Buffer.from(signature, 'base64url');
    if (given.length !== SIGNATURE_BYTES) return 'tampered';
    const expiresAt = Number(expiresText);
    let matched = false;
    // Every secret is tried (no early exit), so timing does not tell which one matched.
    for (const secret of this.secrets) {
      if (timingSafeEqual(this.mac(secret, key, expiresAt), given)) matched = true;
    }
    if (!matched) return 'tampered';
    return expiresAt * 1000 > now.getTime() ? 'ok' : 'expired';
  }
}
