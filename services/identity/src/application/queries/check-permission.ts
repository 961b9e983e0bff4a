import { ForbiddenError, ValidationError } from '@storytelling/kernel';
import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { Permission, type RoleName } from '../../domain/index.js';
import { loadActor } from '../actor.js';
import type { IdentityUnitOfWork } from '../ports/index.js';
import { IDENTITY_UNIT_OF_WORK } from '../ports/index.js';
import { requireUuid } from '../validation.js';

export interface PermissionCheck {
  allowed: boolean;
  /** The user's role; absent when the user doesn't exist. */
  role?: RoleName;
}

export class CheckPermissionQuery extends Query<PermissionCheck> {
  constructor(
    readonly userId: string,
    readonly resource: string,
    readonly action: string,
    /**
     * The user asking, when a user asks (not a service). Users may ask about themselves;
     * asking about someone else takes an admin or super-admin.
     */
    readonly askedBy?: string,
  ) {
    super();
  }
}

export const ROLES_THAT_CHECK_OTHERS: readonly RoleName[] = ['admin', 'super-admin'];

/**
 * May this user do `action` on `resource`? Decided by the user's current role and that role's
 * grants (wildcards included). Unknown and deactivated users are never allowed.
 */
@QueryHandler(CheckPermissionQuery)
export class CheckPermissionHandler implements IQueryHandler<CheckPermissionQuery> {
  constructor(@Inject(IDENTITY_UNIT_OF_WORK) private readonly uow: IdentityUnitOfWork) {}

  async execute(query: CheckPermissionQuery): Promise<PermissionCheck> {
    const userId = requireUuid(query.userId, 'userId');
    const wanted = Permission.of(query.resource, query.action);
    if (wanted.resource === '*' || wanted.action === '*') {
      throw new ValidationError('ask about one resource and action', [{ field: 'resource', message: 'wildcards are for grants, not checks' }]);
    }
    if (query.askedBy !== undefined && query.askedBy !== userId) {
      const asker = await loadActor(this.uow.reader, query.askedBy);
      if (!ROLES_THAT_CHECK_OTHERS.includes(asker.role)) throw new ForbiddenError('only admins check other users\' permissions');
    }
    const user = await this.uow.reader.users.findById(userId);
    if (!user) return { allowed: false };
    if (!user.active) return { allowed: false, role: user.role };
    const role = await this.uow.reader.roles.get(user.role);
    return { allowed: role.allows(wanted), role: user.role };
  }
}
