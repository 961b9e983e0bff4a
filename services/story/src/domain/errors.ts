import { BusinessRuleError, ConflictError, DomainError, NotFoundError, uuidv7Time } from '@storytelling/kernel';

/**
 * The story context's stable error codes (API.md). The platform maps each kind to a gRPC status
 * and the gateway to HTTP: not_found 404, conflict 409, business_rule 422, precondition 412.
 */

/** Absent, or not visible to the caller (never 403: that would confirm the id exists). */
export class StoryNotFoundError extends NotFoundError {
  constructor() {
    super('story', 'STORY_NOT_FOUND');
  }
}

export class StoryArchivedError extends ConflictError {
  constructor() {
    super('STORY_ARCHIVED', 'the story is archived');
  }
}

/** Publishing is a saga of its own (not built yet); until then a published story's content is frozen. */
export class StoryPublishedError extends ConflictError {
  constructor() {
    super('STORY_PUBLISHED', 'the content of a published story cannot change');
  }
}

export class StoryContentEmptyError extends BusinessRuleError {
  constructor() {
    super('STORY_CONTENT_EMPTY', 'a story without content cannot be analysed');
  }
}

export class AuthorNotFoundError extends NotFoundError {
  constructor() {
    super('author', 'AUTHOR_NOT_FOUND');
  }
}

/**
 * An author this context does not know yet whose id (a UUIDv7, as identity mints them) was made
 * moments ago: their UserRegistered is most likely still on its way. 'unavailable' → 503 with
 * Retry-After at the gateway, rather than a 404 saying the user does not exist. docs/adr/0023.
 */
export class AuthorNotReadyError extends DomainError {
  constructor() {
    super('unavailable', 'AUTHOR_NOT_READY', 'the author is not known here yet; retry shortly');
  }
}

/** How long after an id's creation an unknown author is "not yet here" rather than absent. */
export const AUTHOR_ARRIVAL_WINDOW_MS = 5 * 60_000;

/** The error for an author id this context has no row for, at `now`. */
export function unknownAuthor(authorId: string, now: Date): AuthorNotFoundError | AuthorNotReadyError {
  const created = uuidv7Time(authorId);
  if (!created) return new AuthorNotFoundError();
  const age = now.getTime() - created.getTime();
  // A little skew between identity's clock and ours is tolerated; an id from the future is not one identity made.
  return age >= -60_000 && age <= AUTHOR_ARRIVAL_WINDOW_MS ? new AuthorNotReadyError() : new AuthorNotFoundError();
}

export class CannotFollowSelfError extends BusinessRuleError {
  constructor() {
    super('CANNOT_FOLLOW_SELF', 'an author cannot follow themself');
  }
}

/** This month's storiesPerMonth of the author's tier are used (subscription decides the limit). */
export class QuotaExceededError extends BusinessRuleError {
  constructor(limit?: number) {
    super('QUOTA_EXCEEDED', limit === undefined ? 'the monthly story quota is used' : `the monthly limit of ${limit} stories is reached`);
  }
}
