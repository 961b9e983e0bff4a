import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { currentContext, VerifiedTokenCache } from '@storytelling/platform';
import passport from 'passport';
import type { FastifyReply } from 'fastify';
import type { AuthenticatedUser } from '../../../infrastructure/auth/authenticated-user.js';
import { AccessTokenDenylist } from '../../../infrastructure/auth/access-token-denylist.js';
import { JwksUnavailableError, UnknownSigningKeyError } from '../../../infrastructure/auth/jwks-key-store.js';
import { extractBearer, JwtStrategy, RejectedTokenError } from '../../../infrastructure/auth/jwt.strategy.js';
import { ProblemException, unauthenticated } from '../problem/problem.js';
import { RETRY_AFTER_UNAVAILABLE_SECONDS } from '../problem/to-problem.js';
import { IS_PUBLIC } from './decorators.js';
import type { GatewayRequest } from './gateway-request.js';

/** Maps passport-jwt's failure `info` (or error) to the 401/503 the client sees. */
export function authFailureToProblem(failure: unknown): ProblemException {
  if (failure instanceof JwksUnavailableError) {
    return ProblemException.of('SERVICE_UNAVAILABLE', 'Access tokens cannot be verified right now; retry later.', {
      'Retry-After': String(RETRY_AFTER_UNAVAILABLE_SECONDS),
    });
  }
  if (failure instanceof Error) {
    if (failure.message === 'No auth token') return unauthenticated('UNAUTHENTICATED', 'An access token is required (Authorization: Bearer).');
    if (failure.name === 'TokenExpiredError') return unauthenticated('TOKEN_EXPIRED', 'The access token has expired.');
    if (failure instanceof UnknownSigningKeyError) return unauthenticated('INVALID_TOKEN', 'The access token is signed by an unknown key.');
    if (failure instanceof RejectedTokenError) return unauthenticated('INVALID_TOKEN', 'The access token is invalid.');
  }
  return unauthenticated('INVALID_TOKEN', 'The access token is invalid.');
}

/**
 * First global guard. On protected routes it verifies the bearer token (passport-jwt) and puts
 * the caller on `req.user` and the verified token in the request context (forwarded as gRPC
 * metadata). A token verified shortly before is taken from the platform's VerifiedTokenCache (by hash). It never
 * throws: a failure is kept on the request and thrown by RequireAuthenticationGuard after the
 * rate limiter has counted the request.
 */
@Injectable()
export class AuthenticationGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(JwtStrategy) private readonly strategy: JwtStrategy,
    @Inject(VerifiedTokenCache) private readonly verified: VerifiedTokenCache<AuthenticatedUser>,
    @Inject(AccessTokenDenylist) private readonly denylist: AccessTokenDenylist,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()])) return true;
    const req = context.switchToHttp().getRequest<GatewayRequest>();
    const presented = extractBearer(req as never);
    const known = presented ? this.verified.get(presented) : undefined;
    if (presented && known) {
      this.accept(req, known, presented);
      return true;
    }
    const res = context.switchToHttp().getResponse<FastifyReply>();
    const outcome = await new Promise<{ user?: AuthenticatedUser; failure?: unknown }>((resolve) => {
      const authenticate = passport.authenticate(
        Object.create(this.strategy) as JwtStrategy,
        { session: false },
        (err: unknown, user: AuthenticatedUser | false | undefined, info: unknown) => {
          if (err) resolve({ failure: err });
          else if (!user) resolve({ failure: info ?? new RejectedTokenError('token rejected') });
          else resolve({ user });
        },
      ) as (req: unknown, res: unknown, next: (err?: unknown) => void) => void;
      authenticate(req, res, (err?: unknown) => resolve({ failure: err }));
    });
    if (outcome.user && presented) {
      this.verified.set(presented, outcome.user, outcome.user.expiresAt !== undefined ? outcome.user.expiresAt * 1000 : undefined);
      this.accept(req, outcome.user, presented);
    } else {
      req.authFailure = authFailureToProblem(outcome.user ? undefined : outcome.failure);
    }
    return true;
  }

  private accept(req: GatewayRequest, user: AuthenticatedUser, token: string): void {
    // Checked on every request, cached verification or not: logout and account deletion revoke at once.
    if (this.denylist.isRevoked(user.tokenId, user.id)) {
      req.authFailure = unauthenticated('TOKEN_REVOKED', 'The access token has been revoked (logout or account deletion).');
      return;
    }
    req.user = { ...user, token };
    const ctx = currentContext();
    if (ctx) ctx.bearerToken = token;
  }
}

/** Third global guard (after rate limiting): protected routes need an authenticated caller. */
@Injectable()
export class RequireAuthenticationGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()])) return true;
    const req = context.switchToHttp().getRequest<GatewayRequest>();
    if (req.user) return true;
    throw req.authFailure ?? unauthenticated('UNAUTHENTICATED', 'An access token is required (Authorization: Bearer).');
  }
}
