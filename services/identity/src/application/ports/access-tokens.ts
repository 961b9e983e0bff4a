import type { RoleName } from '../../domain/index.js';

export interface AccessTokenSubject {
  userId: string;
  role: RoleName;
  email: string;
}

export interface IssuedAccessToken {
  token: string;
  /** Seconds until it expires (the `expiresIn` of the API). */
  expiresIn: number;
}

/** The public keys that verify identity's access tokens (RFC 7517 JWK Set). */
export interface JsonWebKey {
  kty: string;
  kid: string;
  use: string;
  alg: string;
  n?: string;
  e?: string;
  crv?: string;
  x?: string;
  y?: string;
}

export interface JsonWebKeySet {
  keys: JsonWebKey[];
}

/**
 * Signs access tokens: RS256 JWTs with sub, role, email, iss, aud, iat, exp, jti and a `kid`.
 * Callers' tokens are verified by the platform's AccessTokenVerifier against `jwks()`.
 */
export interface AccessTokenIssuer {
  issue(subject: AccessTokenSubject): Promise<IssuedAccessToken>;
  jwks(): Promise<JsonWebKeySet>;
}
