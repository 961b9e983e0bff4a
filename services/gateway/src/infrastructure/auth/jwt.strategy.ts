import type { KeyObject } from 'node:crypto';
import { decodeProtectedHeader } from 'jose';
import { ExtractJwt, Strategy } from 'passport-jwt';
import type { IncomingMessage } from 'node:http';
import { isRole } from '../../domain/roles.js';
import type { AuthenticatedUser } from './authenticated-user.js';
import type { JwksKeyStore } from './jwks-key-store.js';

/** The token is structurally unacceptable before any signature check (alg, kid, encoding). */
export class RejectedTokenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RejectedTokenError';
  }
}

export const extractBearer = ExtractJwt.fromAuthHeaderAsBearerToken();

export interface JwtStrategyOptions {
  issuer: string;
  audience: string;
}

/**
 * passport-jwt, verifying identity's RS256 access tokens against the JWKS (by `kid`). Only RS256
 * is accepted: `none`, HS256 (key confusion) and everything else are refused before a key is
 * even looked up, and jsonwebtoken is told the same. Issuer, audience and expiry are checked.
 *
 * Not registered in passport's process-wide registry (`passport.use`): each gateway app owns
 * its instance and the guard authenticates with a per-request `Object.create(strategy)`, so two
 * apps in one process (tests) never share keys or configuration.
 */
export class JwtStrategy extends Strategy {
  constructor(keys: JwksKeyStore, options: JwtStrategyOptions) {
    super({
      jwtFromRequest: extractBearer,
      algorithms: ['RS256'],
      issuer: options.issuer,
      audience: options.audience,
      ignoreExpiration: false,
      // Small leeway for clock skew between identity and the gateway (as the platform verifier).
      jsonWebTokenOptions: { clockTolerance: 5 },
      passReqToCallback: false,
      secretOrKeyProvider: (_req: IncomingMessage, rawJwt: unknown, done: (err: unknown, key?: string | Buffer) => void) => {
        let kid: string;
        try {
          if (typeof rawJwt !== 'string') throw new RejectedTokenError('token is not a string');
          const header = decodeProtectedHeader(rawJwt);
          if (header.alg !== 'RS256') throw new RejectedTokenError(`algorithm ${String(header.alg)} is not accepted`);
          if (typeof header.kid !== 'string' || header.kid.length === 0 || header.kid.length > 200) {
            throw new RejectedTokenError('token has no key id');
          }
          kid = header.kid;
        } catch (err) {
          done(err instanceof RejectedTokenError ? err : new RejectedTokenError('token is malformed'));
          return;
        }
        keys.keyFor(kid).then(
          // jsonwebtoken (≥ 9) takes a KeyObject as is (it would parse a PEM string on every
          // call); @types/passport-jwt only knows string | Buffer.
          (key: KeyObject) => done(null, key as unknown as Buffer),
          (err: unknown) => done(err),
        );
      },
    }, (payload: unknown, verified: (err: unknown, user?: AuthenticatedUser | false) => void) => {
      verified(null, JwtStrategy.toUser(payload));
    });
  }

  /** The verified payload → the caller; anything unexpected in it is an invalid token. */
  static toUser(payload: unknown): AuthenticatedUser | false {
    if (typeof payload !== 'object' || payload === null) return false;
    const { sub, role, email, exp, jti } = payload as { sub?: unknown; role?: unknown; email?: unknown; exp?: unknown; jti?: unknown };
    if (typeof sub !== 'string' || sub.length === 0 || !isRole(role)) return false;
    // `token` is filled in by the guard, which has the raw header.
    return {
      id: sub,
      role,
      ...(typeof email === 'string' ? { email } : {}),
      ...(typeof exp === 'number' ? { expiresAt: exp } : {}),
      ...(typeof jti === 'string' && jti.length > 0 && jti.length <= 200 ? { tokenId: jti } : {}),
      token: '',
    };
  }
}
