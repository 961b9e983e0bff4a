import { ForbiddenError } from '@storytelling/kernel';
import { CannotChangeOwnRoleError, LastSuperAdminError, RoleAssignmentForbiddenError } from './errors.js';
import type { RoleName } from './role-name.js';
import { PRIVILEGED_ROLES } from './role-name.js';

export interface RoleHolder {
  id: string;
  role: RoleName;
  active: boolean;
}

/**
 * Who may change whose role:
 * - nobody changes their own role;
 * - only admins and super-admins assign roles at all;
 * - admins assign member, customer-support and content-moderator, and only to people who hold
 *   one of those roles (an admin can neither create nor demote another admin);
 * - only a super-admin grants or takes away admin and super-admin;
 * - the last active super-admin can't be demoted.
 * `activeSuperAdmins` is the number of active super-admins, counted under a lock by the caller.
 */
export function assertMayAssignRole(actor: RoleHolder, target: RoleHolder, newRole: RoleName, activeSuperAdmins: number): void {
  if (!actor.active) throw new ForbiddenError('inactive accounts cannot assign roles');
  if (actor.id === target.id) throw new CannotChangeOwnRoleError();
  if (actor.role !== 'admin' && actor.role !== 'super-admin') {
    throw new ForbiddenError('only admins and super-admins assign roles');
  }
  const touchesPrivileged = PRIVILEGED_ROLES.includes(newRole) || PRIVILEGED_ROLES.includes(target.role);
  if (touchesPrivileged && actor.role !== 'super-admin') throw new RoleAssignmentForbiddenError();
  assertNotLastSuperAdmin(target, newRole, activeSuperAdmins);
}

/** Demoting (or deactivating, `newRole` = null) the only active super-admin is refused. */
export function assertNotLastSuperAdmin(target: RoleHolder, newRole: RoleName | null, activeSuperAdmins: number): void {
  if (target.role === 'super-admin' && target.active && newRole !== 'super-admin' && activeSuperAdmins <= 1) {
    throw new LastSuperAdminError();
  }
}

/** Who may read another person's full profile (GetUser). Everyone may read their own. */
export const ROLES_THAT_READ_ANY_USER: readonly RoleName[] = ['admin', 'super-admin', 'customer-support'];

export function mayReadUser(actor: RoleHolder, targetId: string): boolean {
  return actor.active && (actor.id === targetId || ROLES_THAT_READ_ANY_USER.includes(actor.role));
}

export const ROLES_THAT_LIST_ROLES: readonly RoleName[] = ['admin', 'super-admin'];
export const ROLES_THAT_GRANT_PERMISSIONS: readonly RoleName[] = ['super-admin'];
