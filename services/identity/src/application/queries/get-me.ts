import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { loadActor } from '../actor.js';
import type { IdentityUnitOfWork } from '../ports/index.js';
import { IDENTITY_UNIT_OF_WORK } from '../ports/index.js';
import type { UserView } from '../views.js';
import { toUserView } from '../views.js';

export class GetMeQuery extends Query<UserView> {
  constructor(readonly actorId: string) {
    super();
  }
}

@QueryHandler(GetMeQuery)
export class GetMeHandler implements IQueryHandler<GetMeQuery> {
  constructor(@Inject(IDENTITY_UNIT_OF_WORK) private readonly uow: IdentityUnitOfWork) {}

  async execute(query: GetMeQuery): Promise<UserView> {
    return toUserView(await loadActor(this.uow.reader, query.actorId));
  }
}
