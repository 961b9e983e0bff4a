import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
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
    // Recorded on the Node request by the request edge (before Fastify's request existed).
    const problem = deferredProblemOf(context.switchToHttp().getRequest<FastifyRequest>().raw);
    if (problem !== undefined) throw problem;
    return true;
  }
}
