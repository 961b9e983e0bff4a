export interface GeneratedRefreshToken {
  /** Handed to the client once; never stored. */
  token: string;
  /** What is stored and looked up (SHA-256, hex). */
  hash: string;
}

/** Opaque refresh tokens: 256 random bits, base64url; stored only as their SHA-256. */
export interface RefreshTokenSecrets {
  generate(): GeneratedRefreshToken;
  hash(token: string): string;
}
