import { ForbiddenError, ValidationError } from '@storytelling/kernel';
import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { ROLE_NAMES, UserNotFoundError, assertMayAssignRole, isRoleName } from '../../domain/index.js';
import { loadActor } from '../actor.js';
import type { IdentityUnitOfWork } from '../ports/index.js';
import { IDENTITY_UNIT_OF_WORK } from '../ports/index.js';
import { requireUuid } from '../validation.js';
import type { UserView } from '../views.js';
import { toUserView } from '../views.js';

export class AssignRoleCommand extends Command<UserView> {
  constructor(
    readonly actorId: string,
    readonly userId: string,
    readonly role: string,
  ) {
    super();
  }
}

@CommandHandler(AssignRoleCommand)
export class AssignRoleHandler implements ICommandHandler<AssignRoleCommand> {
  constructor(@Inject(IDENTITY_UNIT_OF_WORK) private readonly uow: IdentityUnitOfWork) {}

  async execute(command: AssignRoleCommand): Promise<UserView> {
    const userId = requireUuid(command.userId, 'userId');
    const role = command.role;
    if (!isRoleName(role)) {
      throw new ValidationError('unknown role', [{ field: 'role', message: `must be one of ${ROLE_NAMES.join(', ')}` }], 'INVALID_ROLE');
    }
    return this.uow.run(async (repos) => {
      await repos.users.lockRoleAssignments();
      const actor = await loadActor(repos, command.actorId);
      if (actor.role !== 'admin' && actor.role !== 'super-admin') {
        throw new ForbiddenError('only admins and super-admins assign roles');
      }
      const target = await repos.users.findById(userId);
      if (!target) throw new UserNotFoundError();
      // Only a demotion of a super-admin needs the count; it locks the super-admin rows so two
      // concurrent demotions can't both see "one other left".
      const demotesSuperAdmin = target.role === 'super-admin' && role !== 'super-admin';
      const superAdmins = demotesSuperAdmin ? await repos.users.countActiveSuperAdmins({ lock: true }) : 0;
      assertMayAssignRole(actor, target, role, superAdmins);
      if (target.assignRole(role, actor.id)) await repos.users.save(target);
      return toUserView(target);
    });
  }
}
