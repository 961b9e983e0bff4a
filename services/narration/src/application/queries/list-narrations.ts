import { decodeCursor, pageSize, toPage, type Page, type PageRequest } from '@storytelling/kernel';
import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { Caller } from '@storytelling/platform';
import { NARRATION_UNIT_OF_WORK } from '../ports/index.js';
import { narrationView, type NarrationView, type NarrationsUnitOfWork } from './get-narration.js';

export class ListNarrationsQuery extends Query<Page<NarrationView>> {
  constructor(
    readonly caller: Caller,
    readonly page: PageRequest,
  ) {
    super();
  }
}

/**
 * The caller's own narrations with their segments, newest first, keyset-paginated (discarded
 * ones never show). Only the owner's: the GDPR export gathers them (GET /users/me/export).
 */
@QueryHandler(ListNarrationsQuery)
export class ListNarrationsHandler implements IQueryHandler<ListNarrationsQuery> {
  constructor(@Inject(NARRATION_UNIT_OF_WORK) private readonly uow: NarrationsUnitOfWork) {}

  async execute({ caller, page }: ListNarrationsQuery): Promise<Page<NarrationView>> {
    const limit = pageSize(page.limit);
    const after = decodeCursor(page.cursor);
    const rows = await this.uow.reader.narrations.pageByOwner(caller.userId, limit + 1, after);
    return toPage(rows, limit, (n) => ({ at: n.state.createdAt, id: n.id }), narrationView);
  }
}
