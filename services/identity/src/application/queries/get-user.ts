import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { UserNotFoundError, mayReadUser } from '../../domain/index.js';
import { loadActor } from '../actor.js';
import type { IdentityUnitOfWork } from '../ports/index.js';
import { IDENTITY_UNIT_OF_WORK } from '../ports/index.js';
import { requireUuid } from '../validation.js';
import type { UserView } from '../views.js';
import { toUserView } from '../views.js';

export class GetUserQuery extends Query<UserView> {
  constructor(
    readonly actorId: string,
    readonly userId: string,
  ) {
    super();
  }
}

/**
 * Self, admin, super-admin and customer-support read any user. Anyone else gets 404 whether or
 * not the id exists (API.md: 404 = absent or not visible to the caller; ADR 0005).
 */
@QueryHandler(GetUserQuery)
export class GetUserHandler implements IQueryHandler<GetUserQuery> {
  constructor(@Inject(IDENTITY_UNIT_OF_WORK) private readonly uow: IdentityUnitOfWork) {}

  async execute(query: GetUserQuery): Promise<UserView> {
    const userId = requireUuid(query.userId, 'userId');
    const actor = await loadActor(this.uow.reader, query.actorId);
    if (!mayReadUser(actor, userId)) throw new UserNotFoundError();
    const user = actor.id === userId ? actor : await this.uow.reader.users.findById(userId);
    if (!user) throw new UserNotFoundError();
    return toUserView(user);
  }
}
