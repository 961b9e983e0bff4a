import type { Clock } from '@storytelling/kernel';
import { RepositoryUnitOfWork, type EventStore, type UnitOfWork } from '@storytelling/platform';
import type { DataSource } from 'typeorm';
import type { IdentityUnitOfWork } from '../../application/ports/index.js';
import type { IdentityRepositories } from '../../domain/index.js';
import { typeOrmRepositories } from './repositories.js';

/** identity's repositories bound to the platform's UnitOfWork (one Postgres transaction). */
export function identityUnitOfWork(uow: UnitOfWork, events: EventStore, dataSource: DataSource, clock: Clock): IdentityUnitOfWork {
  return new RepositoryUnitOfWork<IdentityRepositories>(uow, dataSource, (tx) => typeOrmRepositories(tx, events, clock));
}
