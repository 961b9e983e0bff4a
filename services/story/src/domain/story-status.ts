/**
 * draft → analyzing → analyzed → published (the publishing saga, later); archived from any.
 * Editing the content of an analysing or analysed story returns it to draft.
 */
export const STORY_STATUSES = ['draft', 'analyzing', 'analyzed', 'published', 'archived'] as const;

export type StoryStatus = (typeof STORY_STATUSES)[number];

export function isStoryStatus(value: unknown): value is StoryStatus {
  return typeof value === 'string' && (STORY_STATUSES as readonly string[]).includes(value);
}
