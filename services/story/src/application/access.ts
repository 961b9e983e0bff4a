import { ForbiddenError, VersionConflictError } from '@storytelling/kernel';
import type { Caller } from '@storytelling/platform';
import type { Story, StoryRepositories } from '../domain/index.js';
import { StoryNotFoundError, mayRead } from '../domain/index.js';
import { requireUuid } from './validation.js';

/** The story if the caller may read it; otherwise STORY_NOT_FOUND, exactly as for an absent id. */
export async function loadVisibleStory(repos: StoryRepositories, storyId: unknown, caller: Caller): Promise<Story> {
  const id = requireUuid(storyId, 'storyId');
  const story = await repos.stories.findById(id);
  if (!story || !mayRead(story, caller)) throw new StoryNotFoundError();
  return story;
}

/** A reader who is not the author (a published story) may look but not touch. */
export class NotStoryAuthorError extends ForbiddenError {
  constructor() {
    super('only the author may do this', 'NOT_STORY_AUTHOR');
  }
}

/** The story for a change by its author: 404 when invisible, 403 when visible but someone else's. */
export async function loadOwnStory(repos: StoryRepositories, storyId: unknown, caller: Caller): Promise<Story> {
  const story = await loadVisibleStory(repos, storyId, caller);
  if (!story.isAuthor(caller.userId)) throw new NotStoryAuthorError();
  return story;
}

/** The If-Match precondition, when the client sent one. */
export function assertExpectedVersion(story: Story, expectedVersion: number | undefined): void {
  if (expectedVersion !== undefined && expectedVersion !== story.version) throw new VersionConflictError(story.id, expectedVersion);
}

/**
 * Runs a read-modify-write; without a client precondition a VERSION_CONFLICT (another writer,
 * e.g. the analysis worker, committed first) is retried on fresh state, up to `attempts` times.
 * With one, the conflict is the client's answer (412).
 */
export async function withConflictRetry<T>(hasPrecondition: boolean, work: () => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (err) {
      if (hasPrecondition || attempt >= attempts || !(err instanceof VersionConflictError)) throw err;
    }
  }
}
