import type { Clock } from '@storytelling/kernel';
import { uuidv7 } from '@storytelling/kernel';
import { AccessTokenVerifier, type VerifiedTokenCacheOptions } from '@storytelling/platform';
import { SignJWT } from 'jose';
import type {
  AccessTokenIssuer,
  AccessTokenSubject,
  IssuedAccessToken,
  IssuedServiceToken,
  JsonWebKeySet,
  ServiceTokenIssuer,
} from '../../application/ports/index.js';
import type { SigningKeys } from './signing-keys.js';

export interface JwtSettings {
  issuer: string;
  audience: string;
  accessTokenTtlSeconds: number;
  /** Lifetime of service tokens (SERVICE_TOKEN_TTL_SECONDS); default 300. */
  serviceTokenTtlSeconds?: number;
}

const ALG = 'RS256';

/**
 * Access tokens: RS256 JWTs, header {alg, kid, typ: JWT}, claims sub (user id), role, email,
 * iss, aud, iat, exp, jti. They are self-contained: anyone with the JWKS verifies them without
 * calling identity, which is why they are short-lived (15 minutes by default).
 */
export class JwtAccessTokens implements AccessTokenIssuer, ServiceTokenIssuer {
  constructor(
    private readonly keys: SigningKeys,
    private readonly settings: JwtSettings,
    private readonly clock: Clock,
  ) {}

  async issue(subject: AccessTokenSubject): Promise<IssuedAccessToken> {
    const now = Math.floor(this.clock.now().getTime() / 1000);
    const ttl = this.settings.accessTokenTtlSeconds;
    const token = await new SignJWT({ role: subject.role, email: subject.email })
      .setProtectedHeader({ alg: ALG, kid: this.keys.current.kid, typ: 'JWT' })
      .setSubject(subject.userId)
      .setIssuer(this.settings.issuer)
      .setAudience(this.settings.audience)
      .setIssuedAt(now)
      .setExpirationTime(now + ttl)
      .setJti(uuidv7())
      .sign(this.keys.current.privateKey);
    return { token, expiresIn: ttl };
  }

  /**
   * A service token: same key, issuer and JWKS as access tokens; `sub: service:<name>`,
   * `role: service`, empty `email`, and `aud` = the callee, so it is refused by the gateway
   * (audience storytelling-api) and by every service other than the one it was asked for.
   */
  async issueServiceToken(service: string, audience: string): Promise<IssuedServiceToken> {
    const now = Math.floor(this.clock.now().getTime() / 1000);
    const ttl = this.settings.serviceTokenTtlSeconds ?? 300;
    const token = await new SignJWT({ role: 'service', email: '' })
      .setProtectedHeader({ alg: ALG, kid: this.keys.current.kid, typ: 'JWT' })
      .setSubject(`service:${service}`)
      .setIssuer(this.settings.issuer)
      .setAudience(audience)
      .setIssuedAt(now)
      .setExpirationTime(now + ttl)
      .setJti(uuidv7())
      .sign(this.keys.current.privateKey);
    return { token, expiresIn: ttl };
  }

  async jwks(): Promise<JsonWebKeySet> {
    return { keys: [this.keys.current.jwk, ...this.keys.previous.map((k) => k.jwk)] };
  }
}

/**
 * How identity verifies the bearer tokens of its own callers: the platform's AccessTokenVerifier
 * (the one every service uses, RS256 only, `kid` required) over identity's own key set instead of
 * a GetJwks round trip to itself, expecting identity's issuer and the API audience.
 */
export function ownAccessTokenVerifier(
  tokens: AccessTokenIssuer,
  settings: Pick<JwtSettings, 'issuer' | 'audience'>,
  clock: Clock,
  verifiedTokenCache?: Omit<VerifiedTokenCacheOptions, 'now'>,
): AccessTokenVerifier {
  return new AccessTokenVerifier({
    jwks: () => tokens.jwks(),
    issuer: settings.issuer,
    audience: settings.audience,
    now: () => clock.now().getTime(),
    ...(verifiedTokenCache ? { verifiedTokenCache } : {}),
  });
}
