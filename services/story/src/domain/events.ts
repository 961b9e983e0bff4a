import { eventType } from '@storytelling/kernel';

/**
 * The story context's integration events. `data` is the proto3 JSON mapping of the messages in
 * proto/storytelling/story/v1/events.proto as ts-proto's toJSON writes it: camelCase fields,
 * timestamps as RFC 3339 strings, fields at their proto default ('' / 0 / false / []) omitted
 * (see `protoJson`). Never the content of a story.
 */
export const StoryEventTypes = {
  StoryCreated: eventType('story', 'story', 'created'),
  StoryUpdated: eventType('story', 'story', 'updated'),
  StoryArchived: eventType('story', 'story', 'archived'),
  StoryAnalysisRequested: eventType('story', 'story', 'analysis_requested'),
  StoryAnalysisFailed: eventType('story', 'story', 'analysis_failed'),
  StoryAnalyzed: eventType('story', 'story', 'analyzed'),
  CharactersExtracted: eventType('story', 'story', 'characters_extracted'),
  AuthorFollowed: eventType('story', 'author', 'followed'),
  AuthorUnfollowed: eventType('story', 'author', 'unfollowed'),
} as const;

export const STORY_AGGREGATE_TYPE = 'story';
export const AUTHOR_AGGREGATE_TYPE = 'author';

export interface StoryCreatedData {
  storyId: string;
  authorId: string;
  title: string;
  language: string;
  contentSha256: string;
  contentLength?: number;
  createdAt: string;
}

export interface StoryUpdatedData {
  storyId: string;
  authorId: string;
  title: string;
  contentSha256: string;
  contentLength?: number;
  changedFields: string[];
  status: string;
  previousStatus: string;
  updatedAt: string;
}

export interface StoryArchivedData {
  storyId: string;
  authorId: string;
  previousStatus: string;
  archivedBy: string;
  archivedAt: string;
}

export interface StoryAnalysisRequestedData {
  storyId: string;
  authorId: string;
  contentSha256: string;
  requestedAt: string;
}

export interface StoryAnalysisFailedData {
  storyId: string;
  authorId: string;
  contentSha256: string;
  errorCode: string;
  status: string;
  attempts?: number;
  failedAt: string;
}

export interface StoryAnalyzedData {
  storyId: string;
  authorId: string;
  contentSha256: string;
  characterCount?: number;
  emotionCount?: number;
  dominantEmotion: string;
  reused?: boolean;
  analyzedAt: string;
}

export interface ExtractedCharacterData {
  characterId: string;
  name: string;
  role: string;
  description?: string;
}

export interface CharactersExtractedData {
  storyId: string;
  authorId: string;
  contentSha256: string;
  characters?: ExtractedCharacterData[];
  extractedAt: string;
}

export interface AuthorFollowedData {
  authorId: string;
  followerId: string;
  followedAt: string;
}

export interface AuthorUnfollowedData {
  authorId: string;
  followerId: string;
  unfollowedAt: string;
}

/**
 * Drops the fields proto3 JSON leaves out at their default value (empty string, 0, false, empty
 * list), recursively through lists of objects, so `data` equals `X.toJSON(X.fromJSON(data))`.
 */
export function protoJson<T extends object>(data: T): T {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(data)) {
    if (value === undefined || value === null || value === '' || value === 0 || value === false) continue;
    if (Array.isArray(value)) {
      if (value.length === 0) continue;
      out[key] = value.map((v: unknown) => (v !== null && typeof v === 'object' ? protoJson(v) : v));
      continue;
    }
    out[key] = value;
  }
  return out as T;
}
