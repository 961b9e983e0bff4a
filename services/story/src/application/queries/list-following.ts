import { decodeCursor, pageSize, toPage, type Page, type PageRequest } from '@storytelling/kernel';
import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { Caller } from '@storytelling/platform';
import type { StoryUnitOfWork } from '../ports/index.js';
import { STORY_UNIT_OF_WORK } from '../ports/index.js';
import type { FollowingView } from '../views.js';

export class ListFollowingQuery extends Query<Page<FollowingView>> {
  constructor(
    readonly actor: Caller,
    readonly page: PageRequest,
  ) {
    super();
  }
}

/**
 * The authors the caller follows, most recently followed first, keyset-paginated. Always the
 * caller's own (no author id to ask about): the GDPR export gathers it (GET /users/me/export).
 */
@QueryHandler(ListFollowingQuery)
export class ListFollowingHandler implements IQueryHandler<ListFollowingQuery> {
  constructor(@Inject(STORY_UNIT_OF_WORK) private readonly uow: StoryUnitOfWork) {}

  async execute(query: ListFollowingQuery): Promise<Page<FollowingView>> {
    const limit = pageSize(query.page.limit);
    const after = decodeCursor(query.page.cursor);
    const rows = await this.uow.reader.reads.listFollowing(query.actor.userId, limit + 1, after);
    return toPage(rows, limit, (r) => ({ at: r.followedAt, id: r.authorId }), (r) => r);
  }
}
