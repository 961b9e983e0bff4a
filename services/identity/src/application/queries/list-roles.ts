import { ForbiddenError } from '@storytelling/kernel';
import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { ROLES_THAT_LIST_ROLES } from '../../domain/index.js';
import { loadActor } from '../actor.js';
import type { IdentityUnitOfWork } from '../ports/index.js';
import { IDENTITY_UNIT_OF_WORK } from '../ports/index.js';
import type { RoleView } from '../views.js';
import { toRoleView } from '../views.js';

export class ListRolesQuery extends Query<RoleView[]> {
  constructor(readonly actorId: string) {
    super();
  }
}

@QueryHandler(ListRolesQuery)
export class ListRolesHandler implements IQueryHandler<ListRolesQuery> {
  constructor(@Inject(IDENTITY_UNIT_OF_WORK) private readonly uow: IdentityUnitOfWork) {}

  async execute(query: ListRolesQuery): Promise<RoleView[]> {
    const actor = await loadActor(this.uow.reader, query.actorId);
    if (!ROLES_THAT_LIST_ROLES.includes(actor.role)) throw new ForbiddenError('only admins list roles');
    return (await this.uow.reader.roles.list()).map(toRoleView);
  }
}
