import type { Clock } from '@storytelling/kernel';
import { UnauthenticatedError, isUuid, uuidv7 } from '@storytelling/kernel';
import type { KeyObject } from 'node:crypto';
import { SignJWT, errors as joseErrors, jwtVerify, type JWTHeaderParameters } from 'jose';
import type {
  AccessTokenIssuer,
  AccessTokenSubject,
  AccessTokenVerifier,
  IssuedAccessToken,
  IssuedServiceToken,
  JsonWebKeySet,
  ServiceTokenIssuer,
  VerifiedCaller,
} from '../../application/ports/index.js';
import { isRoleName } from '../../domain/index.js';
import type { SigningKeys } from './signing-keys.js';

export interface JwtSettings {
  issuer: string;
  audience: string;
  accessTokenTtlSeconds: number;
  /** Lifetime of service tokens (SERVICE_TOKEN_TTL_SECONDS); default 300. */
  serviceTokenTtlSeconds?: number;
}

const ALG = 'RS256';
const CLOCK_TOLERANCE_SECONDS = 5;

/**
 * Access tokens: RS256 JWTs, header {alg, kid, typ: JWT}, claims sub (user id), role, email,
 * iss, aud, iat, exp, jti. They are self-contained: anyone with the JWKS verifies them without
 * calling identity, which is why they are short-lived (15 minutes by default).
 */
export class JwtAccessTokens implements AccessTokenIssuer, AccessTokenVerifier, ServiceTokenIssuer {
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

  async verify(token: string): Promise<VerifiedCaller> {
    let payload;
    try {
      ({ payload } = await jwtVerify(token, (header: JWTHeaderParameters) => this.keyFor(header), {
        issuer: this.settings.issuer,
        audience: this.settings.audience,
        algorithms: [ALG],
        currentDate: this.clock.now(),
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        requiredClaims: ['sub', 'exp', 'iat'],
      }));
    } catch (err) {
      if (err instanceof joseErrors.JWTExpired) throw new UnauthenticatedError('TOKEN_EXPIRED', 'access token has expired');
      throw new UnauthenticatedError('INVALID_TOKEN', 'access token is invalid');
    }
    const { sub, role, email } = payload;
    if (!isUuid(sub) || !isRoleName(role) || typeof email !== 'string') {
      throw new UnauthenticatedError('INVALID_TOKEN', 'access token is invalid');
    }
    return { userId: sub, role, email };
  }

  private keyFor(header: JWTHeaderParameters): KeyObject {
    const all = [this.keys.current, ...this.keys.previous];
    const key = header.kid ? all.find((k) => k.kid === header.kid) : undefined;
    if (!key) throw new UnauthenticatedError('INVALID_TOKEN', 'unknown signing key');
    return key.publicKey;
  }
}
