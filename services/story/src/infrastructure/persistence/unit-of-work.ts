import type { Clock } from '@storytelling/kernel';
import { RepositoryUnitOfWork, withIdempotency, type EventStore, type UnitOfWork } from '@storytelling/platform';
import type { DataSource, EntityManager } from 'typeorm';
import type { StoryRepositories, StoryUnitOfWork } from '../../application/ports/index.js';
import { typeOrmRepositories } from './repositories.js';

/** story's repositories bound to the platform's UnitOfWork (one Postgres transaction). */
export function storyUnitOfWork(uow: UnitOfWork, events: EventStore, dataSource: DataSource, clock: Clock): StoryUnitOfWork {
  const bind = (tx: EntityManager): StoryRepositories => typeOrmRepositories(tx, events, clock);
  const repositories = new RepositoryUnitOfWork<StoryRepositories>(uow, dataSource, bind);
  return {
    reader: repositories.reader,
    run: (work) => repositories.run(work),
    runIdempotent: (request, work, options) => uow.run((tx) => withIdempotency(tx, request, () => work(bind(tx)), options)),
  };
}
