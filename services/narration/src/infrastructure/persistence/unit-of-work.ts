import { RepositoryUnitOfWork, type UnitOfWork } from '@storytelling/platform';
import type { DataSource, EntityManager } from 'typeorm';
import type { NarrationUnitOfWork } from '../../application/ports/index.js';
import type { NarrationRepositories } from '../../domain/index.js';

/** narration's repositories over one EntityManager (a transaction's, or the pool's). */
export function sqlRepositories(_tx: EntityManager): NarrationRepositories {
  // e.g. { things: new SqlThingRepository(_tx, events, clock) } (sql-thing.repository.ts)
  return {};
}

/**
 * narration's repositories bound to the platform's UnitOfWork (one Postgres transaction, the
 * ambient one if open). Repositories that save aggregates also take the EventStore (outbox) and
 * CLOCK: add them to this factory's parameters and to `inject` in narration.module.ts.
 */
export function narrationUnitOfWork(uow: UnitOfWork, dataSource: DataSource): NarrationUnitOfWork {
  return new RepositoryUnitOfWork<NarrationRepositories>(uow, dataSource, sqlRepositories);
}
