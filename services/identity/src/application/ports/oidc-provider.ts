/**
 * SEAM ONLY - the OpenID Connect sign-in flow (API.md: GET /auth/oidc/:provider/start and
 * /callback) is not built yet. This is the port it will use; adapters (Google, Apple, a generic
 * discovery-based provider using `openid-client`) belong in infrastructure/oidc/.
 *
 * The flow, for whoever builds it:
 * 1. `start`: the gateway asks identity for an authorization URL. identity creates `state`
 *    (256-bit random) and a PKCE verifier, stores them hashed with a 10-minute expiry
 *    (table identity.oidc_login_attempts), and returns `authorizationUrl(...)`.
 * 2. `callback`: the gateway passes `code` and `state`. identity looks the attempt up by state,
 *    deletes it (single use), calls `exchange(...)` which verifies the ID token (issuer, audience,
 *    nonce, signature against the provider's JWKS) and returns the verified claims.
 * 3. identity finds the user by (provider, subject) in identity.user_oauth_links; otherwise by
 *    verified email (only when `emailVerified`), linking the identity (`User.linkIdentity`);
 *    otherwise registers a new user with no password. Then it records UserAuthenticated
 *    {method: 'oidc', provider} and issues tokens exactly like Login.
 */
export interface OidcAuthorizationRequest {
  provider: string;
  state: string;
  nonce: string;
  codeChallenge: string;
  redirectUri: string;
}

export interface OidcVerifiedIdentity {
  provider: string;
  /** The provider's stable `sub`. */
  subject: string;
  email?: string;
  emailVerified: boolean;
  displayName?: string;
  pictureUrl?: string;
}

export interface OidcProvider {
  readonly name: string;
  authorizationUrl(request: OidcAuthorizationRequest): Promise<string>;
  exchange(input: { code: string; codeVerifier: string; nonce: string; redirectUri: string }): Promise<OidcVerifiedIdentity>;
}

/** Providers by name (`google`, `apple`, ...); configured from the environment. */
export interface OidcProviderRegistry {
  get(name: string): OidcProvider | undefined;
}
