/** Password hashing (argon2id in production). Slow by design: call it outside transactions. */
export interface PasswordHasher {
  hash(plain: string): Promise<string>;
  /** False for a wrong password; never throws for a malformed stored hash (treats it as wrong). */
  verify(hash: string, plain: string): Promise<boolean>;
  /**
   * Does the work of a verification against a fixed hash and discards the result, so a sign-in
   * for an unknown email takes as long as one with a wrong password.
   */
  burn(plain: string): Promise<void>;
}
