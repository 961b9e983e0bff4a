import type { Clock } from '@storytelling/kernel';
import { CLOCK } from '@storytelling/kernel';
import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { AccessTokenRevocation } from '../../domain/index.js';
import type { IdentityUnitOfWork } from '../ports/index.js';
import { IDENTITY_UNIT_OF_WORK } from '../ports/index.js';

export const REVOCATIONS_PAGE = 1000;

export class ListRevokedAccessTokensQuery extends Query<AccessTokenRevocation[]> {
  constructor(readonly after: Date) {
    super();
  }
}

/** The denylist feed the gateway polls: unexpired revocations newer than `after`. */
@QueryHandler(ListRevokedAccessTokensQuery)
export class ListRevokedAccessTokensHandler implements IQueryHandler<ListRevokedAccessTokensQuery> {
  constructor(
    @Inject(IDENTITY_UNIT_OF_WORK) private readonly uow: IdentityUnitOfWork,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  execute(query: ListRevokedAccessTokensQuery): Promise<AccessTokenRevocation[]> {
    return this.uow.reader.revocations.listSince(query.after, this.clock.now(), REVOCATIONS_PAGE);
  }
}
