import { BusinessRuleError, ConflictError, ForbiddenError, NotFoundError } from '@storytelling/kernel';

/** A narration that does not exist, was discarded, or that the caller may not see (404). */
export class NarrationNotFoundError extends NotFoundError {
  constructor() {
    super('narration', 'NARRATION_NOT_FOUND');
  }
}

/** RegenerateSegment for an index the narration does not have (404). */
export class SegmentNotFoundError extends NotFoundError {
  constructor(index: number) {
    super(`segment ${index}`, 'SEGMENT_NOT_FOUND');
  }
}

/** The story has no analysis of its current content: narration needs its sentences' emotions (422). */
export class StoryNotAnalysedError extends BusinessRuleError {
  constructor() {
    super('STORY_NOT_ANALYSED', 'the story has no analysis of its current content: request an analysis first');
  }
}

/** The story is visible to the caller but not theirs to narrate (403). */
export class NotStoryAuthorError extends ForbiddenError {
  constructor() {
    super('only the author may narrate this story', 'NOT_STORY_AUTHOR');
  }
}

/** The caller's narrations quota for the period is used up (422). */
export class NarrationQuotaExceededError extends BusinessRuleError {
  constructor() {
    super('QUOTA_EXCEEDED', 'the narrations quota of this period is used up');
  }
}

/** A segment can be regenerated only in a completed narration (409). */
export class NarrationNotCompletedError extends ConflictError {
  constructor(status: string) {
    super('NARRATION_NOT_COMPLETED', `the narration is ${status}: only a completed narration's segments can be regenerated`);
  }
}

/** Why a narration failed (NarrationFailed.reason, GetNarration's failureReason): a stable code first. */
export const NarrationFailureReasons = {
  quotaExceeded: 'QUOTA_EXCEEDED',
  segmentFailed: 'SEGMENT_FAILED',
  storyNotAnalysed: 'STORY_NOT_ANALYSED',
  storyUnavailable: 'STORY_UNAVAILABLE',
  voiceNotReady: 'VOICE_NOT_READY',
  jobAbandoned: 'JOB_ABANDONED',
  userErased: 'USER_ERASED',
  /** Not a failed narration: a completed one whose last regeneration gave up (it keeps its audio). */
  regenerationFailed: 'REGENERATION_FAILED',
} as const;

/** The story does not exist, or the caller may not see it (story answers alike: 404). */
export class StoryNotFoundError extends NotFoundError {
  constructor() {
    super('story', 'STORY_NOT_FOUND');
  }
}
