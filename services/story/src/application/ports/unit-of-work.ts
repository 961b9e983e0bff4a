import type { UnitOfWorkPort } from '@storytelling/kernel';
import type { IdempotencyOptions, IdempotentRequest } from '@storytelling/platform';
import type { StoryRepositories } from '../../domain/index.js';

/**
 * story's transactions: `run` joins the transaction already open around the call (a consumer's
 * inbox transaction) or opens one; everything `work` does through `repos`, including the outbox
 * rows of the aggregates it saves, commits or rolls back together. `reader` reads in the ambient
 * transaction if there is one, otherwise outside any (each statement commits on its own).
 */
export interface StoryUnitOfWork extends UnitOfWorkPort<StoryRepositories> {
  /**
   * Like `run`, guarded by the request's Idempotency-Key (platform withIdempotency, same
   * transaction): a replay returns the first result without running `work`.
   */
  runIdempotent<T>(request: IdempotentRequest, work: (repos: StoryRepositories) => Promise<T>, options?: IdempotencyOptions<T>): Promise<T>;
}

export const STORY_UNIT_OF_WORK = Symbol('story.StoryUnitOfWork');
