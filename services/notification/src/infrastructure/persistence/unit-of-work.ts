import { RepositoryUnitOfWork, type EventStore, type UnitOfWork } from '@storytelling/platform';
import type { DataSource } from 'typeorm';
import type { NotificationRepositories, NotificationUnitOfWork } from '../../application/ports/index.js';
import { typeOrmRepositories } from './repositories.js';

/** notification's repositories bound to the platform's UnitOfWork (one Postgres transaction). */
export function notificationUnitOfWork(uow: UnitOfWork, events: EventStore, dataSource: DataSource): NotificationUnitOfWork {
  return new RepositoryUnitOfWork<NotificationRepositories>(uow, dataSource, (tx) => typeOrmRepositories(tx, events));
}
