/** subscription's answer for "one more story" (CheckQuota, resource `stories`, amount 1). */
export interface StoryQuotaAnswer {
  allowed: boolean;
  /** Committed this period, as subscription counted them (from StoryCreated). */
  used: number;
  /** Active reservations. */
  reserved: number;
  /** storiesPerMonth of the tier; undefined: unlimited. */
  limit?: number;
  /** Start of the current period: story counts its own creations from here. */
  periodStart: Date;
}

/**
 * Asks subscription about the caller's storiesPerMonth, with the caller's own bearer token.
 * @throws DomainError('unavailable', 'DEPENDENCY_UNAVAILABLE') when subscription cannot answer:
 * story fails closed (docs/story.md § Quota).
 */
export interface StoryQuota {
  checkStories(): Promise<StoryQuotaAnswer>;
}

export const STORY_QUOTA = Symbol('story.StoryQuota');
