import { SetMetadata } from '@nestjs/common';
import type { Role } from '../../../domain/roles.js';

export const IS_PUBLIC = 'gateway:public';
export const REQUIRED_ROLES = 'gateway:roles';

/** The route needs no access token (API.md "public"). Every other route requires one. */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(IS_PUBLIC, true);

/**
 * Coarse pre-check on the token's role before calling the service (defence in depth; the
 * owning service decides the fine-grained rule).
 */
export const RequireRoles = (...roles: Role[]): MethodDecorator & ClassDecorator => SetMetadata(REQUIRED_ROLES, roles);
