import type { Request } from 'express';
import type { AuthenticatedUser } from '../../../infrastructure/auth/authenticated-user.js';
import type { ProblemException } from '../problem/problem.js';

/** The express request as the gateway's guards leave it. */
export type GatewayRequest = Omit<Request, 'user'> & {
  user?: AuthenticatedUser;
  /** Why authentication failed; thrown by RequireAuthenticationGuard after rate limiting. */
  authFailure?: ProblemException;
};
