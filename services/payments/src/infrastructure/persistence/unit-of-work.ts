import type { Clock } from '@storytelling/kernel';
import { RepositoryUnitOfWork, type EventStore, type UnitOfWork } from '@storytelling/platform';
import type { DataSource, EntityManager } from 'typeorm';
import type { PaymentsStore, PaymentsUnitOfWork } from '../../application/ports/index.js';
import { SqlPaymentsStore } from './repositories.js';

/** payments' store bound to the platform's UnitOfWork (one Postgres transaction). */
export function paymentsUnitOfWork(uow: UnitOfWork, events: EventStore, dataSource: DataSource, clock: Clock): PaymentsUnitOfWork {
  return new RepositoryUnitOfWork<PaymentsStore>(uow, dataSource, (tx) => new SqlPaymentsStore(tx, events, clock));
}

/** The store inside a transaction someone else opened (the consumer's inbox transaction). */
export function paymentsStoreIn(tx: EntityManager, events: EventStore, clock: Clock): PaymentsStore {
  return new SqlPaymentsStore(tx, events, clock);
}
