import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { Tier } from '../../domain/index.js';
import { SUBSCRIPTION_UNIT_OF_WORK, type SubscriptionUnitOfWork } from '../ports/index.js';

export class ListTiersQuery extends Query<Tier[]> {}

/** The tier catalog (public: ListTiers needs no caller). */
@QueryHandler(ListTiersQuery)
export class ListTiersHandler implements IQueryHandler<ListTiersQuery> {
  constructor(@Inject(SUBSCRIPTION_UNIT_OF_WORK) private readonly uow: SubscriptionUnitOfWork) {}

  execute(): Promise<Tier[]> {
    return this.uow.reader.tiers.all();
  }
}
