import { systemClock, type Clock } from '@storytelling/kernel';
import { UrlSigner, type SignatureCheck } from '@storytelling/platform';
import type { FileLinks } from '../../application/media.port.js';

export interface SignedFileLinksOptions {
  /** FILES_SIGNING_SECRETS: newest first; the first signs, every one verifies. */
  secrets: readonly string[];
  /** FILES_URL_TTL_SECONDS. */
  ttlSeconds: number;
  /** PUBLIC_BASE_URL: links are absolute, so any client (a player, another origin) can follow them. */
  publicBaseUrl: string;
  /** Where the files route is served (`/api/v1/files`). */
  basePath: string;
  clock?: Clock;
}

/** FileLinks with the platform's UrlSigner (HMAC-SHA256 over key and expiry, ADR 0019). */
export class SignedFileLinks implements FileLinks {
  private readonly signer: UrlSigner;
  private readonly origin: string;
  private readonly clock: Clock;

  constructor(options: SignedFileLinksOptions) {
    this.clock = options.clock ?? systemClock;
    this.signer = new UrlSigner({ secrets: options.secrets, basePath: options.basePath, defaultTtlSeconds: options.ttlSeconds, clock: this.clock });
    this.origin = options.publicBaseUrl.replace(/\/+$/, '');
  }

  urlFor(key: string): string {
    return `${this.origin}${this.signer.sign(key)}`;
  }

  check(key: string, expires: unknown, signature: unknown): SignatureCheck {
    // A repeated parameter (`?expires=1&expires=2`) arrives as an array: not something sign() made.
    if (Array.isArray(expires) || Array.isArray(signature)) return 'tampered';
    const e = typeof expires === 'string' ? expires : undefined;
    const s = typeof signature === 'string' ? signature : undefined;
    return this.signer.verify(key, e, s);
  }

  secondsLeft(expires: unknown): number {
    if (typeof expires !== 'string' || !/^\d{1,15}$/.test(expires)) return 0;
    return Math.max(0, Number(expires) - Math.floor(this.clock.now().getTime() / 1000));
  }
}
