import type { Clock } from '@storytelling/kernel';
import { RepositoryUnitOfWork, withIdempotency, type EventStore, type UnitOfWork } from '@storytelling/platform';
import type { DataSource, EntityManager } from 'typeorm';
import type { StoryUnitOfWork } from '../../application/ports/index.js';
import type { StoryRepositories } from '../../domain/index.js';
import { SqlAnalysisJobRepository } from './sql-analysis-job.repository.js';
import { SqlAnalysisRepository } from './sql-analysis.repository.js';
import { SqlAuthorRepository } from './sql-author.repository.js';
import { SqlFollowRepository } from './sql-follow.repository.js';
import { SqlStoryReadRepository } from './sql-story-read.repository.js';
import { SqlStoryRepository } from './sql-story.repository.js';

/** story's repositories over one EntityManager (a transaction's, or the pool's). */
export function sqlRepositories(em: EntityManager, events: EventStore, clock: Clock): StoryRepositories {
  return {
    stories: new SqlStoryRepository(em, events, clock),
    authors: new SqlAuthorRepository(em, events, clock),
    follows: new SqlFollowRepository(em),
    analyses: new SqlAnalysisRepository(em),
    jobs: new SqlAnalysisJobRepository(em),
    reads: new SqlStoryReadRepository(em),
  };
}

/**
 * story's repositories bound to the platform's UnitOfWork (one Postgres transaction, joined when
 * one is already open in the async context: the consumer's inbox transaction).
 */
export function storyUnitOfWork(uow: UnitOfWork, events: EventStore, dataSource: DataSource, clock: Clock): StoryUnitOfWork {
  const bind = (tx: EntityManager): StoryRepositories => sqlRepositories(tx, events, clock);
  const repositories = new RepositoryUnitOfWork<StoryRepositories>(uow, dataSource, bind);
  return {
    get reader() {
      return repositories.reader;
    },
    run: (work, options) => repositories.run(work, options),
    runIdempotent: (request, work, options) => uow.run((tx) => withIdempotency(tx, request, () => work(bind(tx)), options)),
  };
}
