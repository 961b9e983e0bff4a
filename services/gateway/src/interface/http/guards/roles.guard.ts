import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Role } from '../../../domain/roles.js';
import { ProblemException } from '../problem/problem.js';
import { REQUIRED_ROLES } from './decorators.js';
import type { GatewayRequest } from './gateway-request.js';

/** Last global guard: the token's role must be one the route names (when it names any). */
@Injectable()
export class RolesGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(REQUIRED_ROLES, [context.getHandler(), context.getClass()]);
    if (!roles || roles.length === 0) return true;
    const user = context.switchToHttp().getRequest<GatewayRequest>().user;
    if (user && roles.includes(user.role)) return true;
    throw ProblemException.of('FORBIDDEN', 'Your role does not allow this action.');
  }
}
