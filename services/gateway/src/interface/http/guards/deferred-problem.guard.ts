import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { deferredProblemOf } from '../middleware/deferred-problem.js';

/**
 * Last global guard: throws what the body parser or the Idempotency-Key check found before
 * routing, now that the caller is authenticated (or the route is public), rate-limited and
 * authorised. Runs before any pipe, so a route never sees an unparsed body.
 */
@Injectable()
export class DeferredProblemGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const problem = deferredProblemOf(context.switchToHttp().getRequest<object>());
    if (problem !== undefined) throw problem;
    return true;
  }
}
