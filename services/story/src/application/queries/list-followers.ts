import { CLOCK, ForbiddenError, systemClock, type Clock, decodeCursor, pageSize, toPage, type Page, type PageRequest } from '@storytelling/kernel';
import { Inject, Optional } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { SERVICE_TOKEN_ROLE, type Caller } from '@storytelling/platform';
import { unknownAuthor } from '../../domain/index.js';
import type { StoryUnitOfWork } from '../ports/index.js';
import { STORY_UNIT_OF_WORK } from '../ports/index.js';
import { requireUuid } from '../validation.js';
import type { FollowerView } from '../views.js';

export class ListFollowersQuery extends Query<Page<FollowerView>> {
  constructor(
    readonly actor: Caller,
    readonly authorId: string,
    readonly page: PageRequest,
  ) {
    super();
  }
}

/**
 * An author's followers, most recent first, keyset-paginated. The author themself (through the
 * gateway), or another service (a `role: service` token; notification fans StoryPublished out
 * with it). Anyone else: 403 FOLLOWERS_PRIVATE.
 */
@QueryHandler(ListFollowersQuery)
export class ListFollowersHandler implements IQueryHandler<ListFollowersQuery> {
  constructor(
    @Inject(STORY_UNIT_OF_WORK) private readonly uow: StoryUnitOfWork,
    @Optional() @Inject(CLOCK) private readonly clock: Clock = systemClock,
  ) {}

  async execute(query: ListFollowersQuery): Promise<Page<FollowerView>> {
    const authorId = requireUuid(query.authorId, 'authorId');
    const self = authorId === query.actor.userId;
    if (!self && query.actor.role !== SERVICE_TOKEN_ROLE) throw new ForbiddenError('only the author may list their followers', 'FOLLOWERS_PRIVATE');
    const limit = pageSize(query.page.limit);
    const after = decodeCursor(query.page.cursor);
    if (!self && !(await this.uow.reader.authors.findById(authorId))) throw unknownAuthor(authorId, this.clock.now());
    const rows = await this.uow.reader.reads.listFollowers(authorId, limit + 1, after);
    return toPage(rows, limit, (r) => ({ at: r.followedAt, id: r.userId }), (r) => r);
  }
}
