/**
 * OpenID Connect sign-in (API.md: GET /auth/oidc/:provider/start and /callback; ADR 0029).
 * Adapters live in infrastructure/oidc/ (one `openid-client` adapter serves Google and any
 * standard issuer, configured by environment).
 *
 * 1. start: identity creates `state`, `nonce` and a PKCE verifier, keeps them server-side
 *    (`OidcLoginAttempts`, the state only as its hash, expiring) and answers the provider's
 *    authorization URL (code flow, S256 challenge).
 * 2. callback: the attempt is taken by state (single use), then `exchange(...)` redeems the
 *    code with the verifier and validates the ID token (issuer, audience, nonce, expiry,
 *    signature through the provider's JWKS) in the library, answering the verified claims.
 * 3. identity finds the user by (provider, subject); otherwise, only for a verified email, the
 *    user with that email (linking the identity) or a new user without a password.
 */
export interface OidcAuthorizationRequest {
  state: string;
  nonce: string;
  /** The PKCE verifier; the adapter sends its S256 challenge. */
  codeVerifier: string;
}

export interface OidcCallback {
  code: string;
  state: string;
  /** The callback's `iss` (RFC 9207), when the provider sent one. */
  iss?: string;
  codeVerifier: string;
  nonce: string;
}

export interface OidcVerifiedIdentity {
  provider: string;
  /** The provider's stable `sub`. */
  subject: string;
  email?: string;
  emailVerified: boolean;
  displayName?: string;
}

export interface OidcProvider {
  readonly name: string;
  /** Where the provider sends the browser back (configured, registered at the provider). */
  readonly redirectUri: string;
  authorizationUrl(request: OidcAuthorizationRequest): Promise<string>;
  /**
   * Redeems the code and validates the ID token. @throws OidcLoginFailedError when the provider
   * refuses the code or the token does not validate; a DomainError 'unavailable' when the
   * provider can't be reached.
   */
  exchange(callback: OidcCallback): Promise<OidcVerifiedIdentity>;
}

/** Providers by name (`google`, `local`, ...); configured from the environment. */
export interface OidcProviderRegistry {
  get(name: string): OidcProvider | undefined;
}

export interface OidcLoginAttempt {
  provider: string;
  nonce: string;
  codeVerifier: string;
  redirectUri: string;
  expiresAt: Date;
}

/** start → callback state, kept server-side. */
export interface OidcLoginAttempts {
  save(stateHash: string, attempt: OidcLoginAttempt, now: Date): Promise<void>;
  /** Deletes and answers the attempt (single use), expired or not; undefined when there is none. */
  take(stateHash: string): Promise<OidcLoginAttempt | undefined>;
}

export const OIDC_PROVIDERS = Symbol('OIDC_PROVIDERS');
export const OIDC_LOGIN_ATTEMPTS = Symbol('OIDC_LOGIN_ATTEMPTS');
/** How long a started sign-in may take (seconds). */
export const OIDC_ATTEMPT_TTL_SECONDS = Symbol('OIDC_ATTEMPT_TTL_SECONDS');
