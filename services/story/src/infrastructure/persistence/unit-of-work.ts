import type { Clock } from '@storytelling/kernel';
import { RepositoryUnitOfWork, type EventStore, type UnitOfWork } from '@storytelling/platform';
import type { DataSource } from 'typeorm';
import type { StoryRepositories, StoryUnitOfWork } from '../../application/ports/index.js';
import { typeOrmRepositories } from './repositories.js';

/** story's repositories bound to the platform's UnitOfWork (one Postgres transaction). */
export function storyUnitOfWork(uow: UnitOfWork, events: EventStore, dataSource: DataSource, clock: Clock): StoryUnitOfWork {
  return new RepositoryUnitOfWork<StoryRepositories>(uow, dataSource, (tx) => typeOrmRepositories(tx, events, clock));
}
