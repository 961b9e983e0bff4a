import { type CanActivate, type ExecutionContext, Inject, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply } from 'fastify';
import { FixedWindowRateLimitStore } from '../../../infrastructure/rate-limit/fixed-window-store.js';
import { ProblemException } from '../problem/problem.js';
import type { GatewayRequest } from './gateway-request.js';

/**
 * Rate-limit groups:
 *   - `auth`: the /auth routes together, per client IP (RATE_LIMIT_AUTH_PER_MINUTE);
 *   - `default`: every other API route as one budget, per authenticated user, else per client
 *     IP (RATE_LIMIT_PER_MINUTE);
 *   - `none`: operational endpoints (health, readiness, metrics).
 */
export type RateLimitGroup = 'auth' | 'default' | 'none';

export const RATE_LIMIT_GROUP = 'gateway:rate-limit-group';
export const RateLimit = (group: RateLimitGroup): MethodDecorator & ClassDecorator => SetMetadata(RATE_LIMIT_GROUP, group);

export interface RateLimits {
  authPerMinute: number;
  perMinute: number;
}
export const RATE_LIMITS = Symbol('RATE_LIMITS');

const WINDOW_MS = 60_000;

export function clientIp(req: GatewayRequest): string {
  return req.ip ?? req.socket?.remoteAddress ?? 'unknown';
}

/**
 * Second global guard: runs after AuthenticationGuard (so the caller is known) and before the
 * request is rejected for a bad token (so failed attempts count too). Answers 429 RATE_LIMITED
 * with Retry-After, and advertises the budget in RateLimit-* headers.
 */
@Injectable()
export class RateLimitGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(RATE_LIMITS) private readonly limits: RateLimits,
    private readonly store: FixedWindowRateLimitStore,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const group = this.reflector.getAllAndOverride<RateLimitGroup | undefined>(RATE_LIMIT_GROUP, [context.getHandler(), context.getClass()]) ?? 'default';
    if (group === 'none') return true;
    const req = context.switchToHttp().getRequest<GatewayRequest>();
    const res = context.switchToHttp().getResponse<FastifyReply>();
    const [limit, tracker] =
      group === 'auth' ? [this.limits.authPerMinute, `ip:${clientIp(req)}`] : [this.limits.perMinute, req.user ? `user:${req.user.id}` : `ip:${clientIp(req)}`];
    const decision = this.store.hit(`${group}|${tracker}`, limit, WINDOW_MS);
    res.header('RateLimit-Limit', String(decision.limit));
    res.header('RateLimit-Remaining', String(decision.remaining));
    res.header('RateLimit-Reset', String(decision.resetSeconds));
    if (!decision.allowed) {
      throw ProblemException.of('RATE_LIMITED', `Too many requests; retry in ${decision.resetSeconds} s.`, {
        'Retry-After': String(decision.resetSeconds),
      });
    }
    return true;
  }
}
