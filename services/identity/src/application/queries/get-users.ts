import { ValidationError } from '@storytelling/kernel';
import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { IdentityUnitOfWork } from '../ports/index.js';
import { IDENTITY_UNIT_OF_WORK } from '../ports/index.js';
import { requireUuid } from '../validation.js';
import type { UserView } from '../views.js';
import { toUserView } from '../views.js';

export const GET_USERS_MAX = 100;

export class GetUsersQuery extends Query<UserView[]> {
  constructor(readonly userIds: readonly string[]) {
    super();
  }
}

/**
 * Batch lookup for other services (display names for lists, emails for notifications). Unknown
 * ids are left out; order follows the request; duplicates collapse. Deactivated users are left
 * out too: after UserDeactivated every context erases their personal data, and this query must
 * not hand it back.
 */
@QueryHandler(GetUsersQuery)
export class GetUsersHandler implements IQueryHandler<GetUsersQuery> {
  constructor(@Inject(IDENTITY_UNIT_OF_WORK) private readonly uow: IdentityUnitOfWork) {}

  async execute(query: GetUsersQuery): Promise<UserView[]> {
    if (!Array.isArray(query.userIds)) throw new ValidationError('userIds is required', [{ field: 'userIds', message: 'is required' }]);
    if (query.userIds.length > GET_USERS_MAX) {
      throw new ValidationError('too many ids', [{ field: 'userIds', message: `at most ${GET_USERS_MAX} ids per call` }]);
    }
    const ids = [...new Set(query.userIds.map((id, i) => requireUuid(id, `userIds[${i}]`)))];
    if (ids.length === 0) return [];
    const users = await this.uow.reader.users.findByIds(ids);
    const byId = new Map(users.map((u) => [u.id, u]));
    return ids.flatMap((id) => {
      const u = byId.get(id);
      return u && u.active ? [toUserView(u)] : [];
    });
  }
}
