import { createHash, randomBytes } from 'node:crypto';
import type { GeneratedRefreshToken, RefreshTokenSecrets } from '../../application/ports/index.js';

/**
 * 256 random bits, base64url (43 characters). A fast hash (SHA-256) is right here: unlike a
 * password, the token has full entropy, so there is nothing to brute-force, and lookups by hash
 * must be cheap.
 */
export class OpaqueRefreshTokens implements RefreshTokenSecrets {
  generate(): GeneratedRefreshToken {
    const token = randomBytes(32).toString('base64url');
    return { token, hash: this.hash(token) };
  }

  hash(token: string): string {
    return createHash('sha256').update(token, 'utf8').digest('hex');
  }
}
