import type { Clock } from '@storytelling/kernel';
import { RepositoryUnitOfWork, withIdempotency, type EventStore, type UnitOfWork } from '@storytelling/platform';
import type { DataSource, EntityManager } from 'typeorm';
import type { IdentityUnitOfWork } from '../../application/ports/index.js';
import type { IdentityRepositories } from '../../domain/index.js';
import { typeOrmRepositories } from './repositories.js';

/** identity's repositories bound to the platform's UnitOfWork (one Postgres transaction). */
export function identityUnitOfWork(uow: UnitOfWork, events: EventStore, dataSource: DataSource, clock: Clock): IdentityUnitOfWork {
  const bind = (tx: EntityManager): IdentityRepositories => typeOrmRepositories(tx, events, clock);
  const repositories = new RepositoryUnitOfWork<IdentityRepositories>(uow, dataSource, bind);
  return {
    reader: repositories.reader,
    run: (work) => repositories.run(work),
    runIdempotent: (request, work, options) => uow.run((tx) => withIdempotency(tx, request, () => work(bind(tx)), options)),
  };
}
