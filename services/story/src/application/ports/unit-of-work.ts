import type { IdempotencyOptions, IdempotentRequest } from '@storytelling/platform';
import type { AuthorRepository, FollowRepository, StoryRepository } from '../../domain/index.js';
import type { AnalysisJobStore } from './analysis-jobs.js';
import type { AnalysisStore } from './analysis-store.js';
import type { StoryReadModel } from './read-model.js';

export interface StoryRepositories {
  stories: StoryRepository;
  authors: AuthorRepository;
  follows: FollowRepository;
  analyses: AnalysisStore;
  jobs: AnalysisJobStore;
  reads: StoryReadModel;
}

/**
 * One database transaction. Everything `work` does through `repos`, including the outbox rows of
 * the aggregates it saves, commits or rolls back together. This implementation does not retry.
 */
export interface StoryUnitOfWork {
  run<T>(work: (repos: StoryRepositories) => Promise<T>): Promise<T>;
  /**
   * Like `run`, guarded by the request's Idempotency-Key (platform withIdempotency, same
   * transaction): a replay returns the first result without running `work`.
   */
  runIdempotent<T>(request: IdempotentRequest, work: (repos: StoryRepositories) => Promise<T>, options?: IdempotencyOptions<T>): Promise<T>;
  /** Repositories outside any transaction (each statement commits on its own), for reads and job claims. */
  readonly reader: StoryRepositories;
}

export const STORY_UNIT_OF_WORK = Symbol('story.StoryUnitOfWork');
