import { DomainError } from '@storytelling/kernel';
import * as client from 'openid-client';
import type { OidcAuthorizationRequest, OidcCallback, OidcProvider, OidcVerifiedIdentity } from '../../application/ports/index.js';
import { OidcLoginFailedError } from '../../domain/index.js';

export interface OidcProviderSettings {
  /** Lower-case key used in the routes (`google`, `local`, ...). */
  name: string;
  /** Issuer identifier; its `/.well-known/openid-configuration` is discovered. */
  issuer: string;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  /** Space-separated, always including `openid`. */
  scope: string;
}

export interface OpenIdClientOptions {
  /** Replaces fetch for every request to the provider (tests put a tampering proxy here). */
  fetch?: client.CustomFetch;
}

/**
 * Any standard OpenID Connect issuer (Google included) through `openid-client`: discovery,
 * authorization code with PKCE S256, and the ID token's validation — issuer, audience, nonce,
 * expiry and (enableNonRepudiationChecks) its signature against the provider's JWKS — all in
 * the library. Discovery is lazy and retried, so identity starts while a provider is down.
 */
export class OpenIdClientProvider implements OidcProvider {
  private configuration: Promise<client.Configuration> | undefined;

  constructor(
    private readonly settings: OidcProviderSettings,
    private readonly options: OpenIdClientOptions = {},
  ) {}

  get name(): string {
    return this.settings.name;
  }

  get redirectUri(): string {
    return this.settings.redirectUri;
  }

  async authorizationUrl(request: OidcAuthorizationRequest): Promise<string> {
    const config = await this.config();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: this.settings.redirectUri,
      response_type: 'code',
      scope: this.settings.scope,
      state: request.state,
      nonce: request.nonce,
      code_challenge: await client.calculatePKCECodeChallenge(request.codeVerifier),
      code_challenge_method: 'S256',
    });
    return url.href;
  }

  async exchange(callback: OidcCallback): Promise<OidcVerifiedIdentity> {
    const config = await this.config();
    const currentUrl = new URL(this.settings.redirectUri);
    currentUrl.searchParams.set('code', callback.code);
    currentUrl.searchParams.set('state', callback.state);
    if (callback.iss) currentUrl.searchParams.set('iss', callback.iss);
    let claims: client.IDToken | undefined;
    try {
      const tokens = await client.authorizationCodeGrant(config, currentUrl, {
        pkceCodeVerifier: callback.codeVerifier,
        expectedState: callback.state,
        expectedNonce: callback.nonce,
        idTokenExpected: true,
      });
      claims = tokens.claims();
    } catch (err) {
      if (unreachable(err)) throw providerUnavailable(this.settings.name);
      throw new OidcLoginFailedError();
    }
    if (!claims) throw new OidcLoginFailedError();
    return {
      provider: this.settings.name,
      subject: claims.sub,
      ...(typeof claims.email === 'string' ? { email: claims.email } : {}),
      // Only a JSON `true` counts: anything else is "not verified".
      emailVerified: claims.email_verified === true,
      ...(typeof claims.name === 'string' ? { displayName: claims.name } : {}),
    };
  }

  private config(): Promise<client.Configuration> {
    this.configuration ??= this.discover().catch((err: unknown) => {
      this.configuration = undefined;
      throw err;
    });
    return this.configuration;
  }

  private async discover(): Promise<client.Configuration> {
    const issuer = new URL(this.settings.issuer);
    const execute = [client.enableNonRepudiationChecks, ...(issuer.protocol === 'http:' ? [client.allowInsecureRequests] : [])];
    try {
      return await client.discovery(
        issuer,
        this.settings.clientId,
        { client_secret: this.settings.clientSecret },
        client.ClientSecretBasic(this.settings.clientSecret),
        { execute, ...(this.options.fetch ? { [client.customFetch]: this.options.fetch } : {}) },
      );
    } catch {
      throw providerUnavailable(this.settings.name);
    }
  }
}

function providerUnavailable(provider: string): DomainError {
  return new DomainError('unavailable', 'OIDC_PROVIDER_UNAVAILABLE', `the ${provider} sign-in provider is not reachable`);
}

/** A transport failure (the provider is down), as opposed to the provider refusing. */
function unreachable(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (e instanceof TypeError && /fetch failed/i.test(e.message)) return true;
    const code = (e as { code?: unknown }).code;
    if (code === 'ECONNREFUSED' || code === 'ECONNRESET' || code === 'ETIMEDOUT' || code === 'ENOTFOUND') return true;
  }
  return false;
}
