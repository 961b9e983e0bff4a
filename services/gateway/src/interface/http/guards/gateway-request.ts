import type { FastifyRequest } from 'fastify';
import type { AuthenticatedUser } from '../../../infrastructure/auth/authenticated-user.js';
import type { ProblemException } from '../problem/problem.js';

/** The Fastify request as the gateway's guards leave it. */
export type GatewayRequest = FastifyRequest & {
  user?: AuthenticatedUser;
  /** Why authentication failed; thrown by RequireAuthenticationGuard after rate limiting. */
  authFailure?: ProblemException;
};
