import { randomBytes } from 'node:crypto';
import * as argon2 from 'argon2';
import type { PasswordHasher } from '../../application/ports/index.js';

/**
 * argon2id with the library defaults (m = 64 MiB, t = 3, p = 4), above OWASP's minimum
 * (m = 19 MiB, t = 2, p = 1). The parameters are stored in each hash, so raising them later
 * only affects new hashes.
 */
export class Argon2PasswordHasher implements PasswordHasher {
  private dummy: Promise<string> | undefined;

  constructor(private readonly options: { memoryCost?: number; timeCost?: number; parallelism?: number } = {}) {}

  hash(plain: string): Promise<string> {
    return argon2.hash(plain, { type: argon2.argon2id, ...this.options });
  }

  async verify(hash: string, plain: string): Promise<boolean> {
    try {
      return await argon2.verify(hash, plain);
    } catch {
      return false;
    }
  }

  async burn(plain: string): Promise<void> {
    this.dummy ??= this.hash(randomBytes(32).toString('base64url'));
    await this.verify(await this.dummy, plain);
  }
}
