import { ForbiddenError, ValidationError } from '@storytelling/kernel';
import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { Permission, ROLES_THAT_GRANT_PERMISSIONS, ROLE_NAMES, isRoleName } from '../../domain/index.js';
import { loadActor } from '../actor.js';
import type { IdentityUnitOfWork } from '../ports/index.js';
import { IDENTITY_UNIT_OF_WORK } from '../ports/index.js';
import type { RoleView } from '../views.js';
import { toRoleView } from '../views.js';

export interface GrantPermissionResult {
  role: RoleView;
  resource: string;
  action: string;
  /** False when the role already had the permission (nothing changed, no event). */
  created: boolean;
}

export class GrantPermissionCommand extends Command<GrantPermissionResult> {
  constructor(
    readonly actorId: string,
    readonly role: string,
    readonly resource: string,
    readonly action: string,
  ) {
    super();
  }
}

@CommandHandler(GrantPermissionCommand)
export class GrantPermissionHandler implements ICommandHandler<GrantPermissionCommand> {
  constructor(@Inject(IDENTITY_UNIT_OF_WORK) private readonly uow: IdentityUnitOfWork) {}

  async execute(command: GrantPermissionCommand): Promise<GrantPermissionResult> {
    const roleName = command.role;
    if (!isRoleName(roleName)) {
      throw new ValidationError('unknown role', [{ field: 'role', message: `must be one of ${ROLE_NAMES.join(', ')}` }], 'INVALID_ROLE');
    }
    const permission = Permission.of(command.resource, command.action);
    return this.uow.run(async (repos) => {
      const actor = await loadActor(repos, command.actorId);
      if (!ROLES_THAT_GRANT_PERMISSIONS.includes(actor.role)) throw new ForbiddenError('only super-admins grant permissions');
      const role = await repos.roles.get(roleName);
      const created = role.grant(permission, actor.id);
      if (created) await repos.roles.save(role);
      return { role: toRoleView(role), resource: permission.resource, action: permission.action, created };
    });
  }
}
