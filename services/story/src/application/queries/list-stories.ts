import { ValidationError, decodeCursor, pageSize, toPage, type Page, type PageRequest } from '@storytelling/kernel';
import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { Caller } from '@storytelling/platform';
import type { StoryListFilter, StoryStatus } from '../../domain/index.js';
import { isStoryStatus } from '../../domain/index.js';
import type { StoryUnitOfWork } from '../ports/index.js';
import { STORY_UNIT_OF_WORK } from '../ports/index.js';
import { requireUuid } from '../validation.js';
import type { StorySummaryView } from '../views.js';

export class ListStoriesQuery extends Query<Page<StorySummaryView>> {
  constructor(
    readonly actor: Caller,
    readonly filter: { authorId?: string | undefined; status?: string | undefined },
    readonly page: PageRequest,
  ) {
    super();
  }
}

/**
 * Stories the caller may see, newest first (created_at, then id), keyset-paginated: their own
 * (every status; archived ones only when asked for with status=archived) and everybody's
 * published ones. `authorId` narrows to one author (someone else's: published only).
 */
@QueryHandler(ListStoriesQuery)
export class ListStoriesHandler implements IQueryHandler<ListStoriesQuery> {
  constructor(@Inject(STORY_UNIT_OF_WORK) private readonly uow: StoryUnitOfWork) {}

  async execute(query: ListStoriesQuery): Promise<Page<StorySummaryView>> {
    const limit = pageSize(query.page.limit);
    const after = decodeCursor(query.page.cursor);
    const filter: StoryListFilter = { callerId: query.actor.userId };
    if (query.filter.authorId !== undefined && query.filter.authorId !== '') filter.authorId = requireUuid(query.filter.authorId, 'authorId');
    if (query.filter.status !== undefined && query.filter.status !== '') filter.status = parseStatus(query.filter.status);
    const rows = await this.uow.reader.reads.listStories(filter, limit + 1, after);
    return toPage(rows, limit, (r) => ({ at: r.createdAt, id: r.id }), (r) => r);
  }
}

function parseStatus(value: string): StoryStatus {
  if (!isStoryStatus(value)) {
    throw new ValidationError('invalid status', [{ field: 'status', message: 'must be one of draft, analyzing, analyzed, published, archived' }]);
  }
  return value;
}
