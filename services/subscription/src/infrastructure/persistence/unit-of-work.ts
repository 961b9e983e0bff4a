import type { Clock } from '@storytelling/kernel';
import { RepositoryUnitOfWork, type EventStore, type UnitOfWork } from '@storytelling/platform';
import type { DataSource } from 'typeorm';
import type { SubscriptionUnitOfWork } from '../../application/ports/index.js';
import { TierCache, sqlRepositories } from './repositories.js';

/** subscription's repositories bound to the platform's UnitOfWork (the ambient transaction). */
export function subscriptionUnitOfWork(uow: UnitOfWork, events: EventStore, dataSource: DataSource, clock: Clock): SubscriptionUnitOfWork {
  const tiers = new TierCache();
  return new RepositoryUnitOfWork(uow, dataSource, (tx) => sqlRepositories(tx, { events, clock, tiers }));
}
