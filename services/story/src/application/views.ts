import type { AnalysisStatus, EmotionMoment, FollowerRow, FollowingRow, Story, StoredCharacter, StoryRow, StoryStatus } from '../domain/index.js';

/** A story as callers see it (GET /stories/:id). */
export interface StoryView {
  id: string;
  title: string;
  content: string;
  authorId: string;
  language: string;
  status: StoryStatus;
  version: number;
  contentHash: string;
  createdAt: Date;
  updatedAt: Date;
}

export function toStoryView(story: Story): StoryView {
  return {
    id: story.id,
    title: story.title,
    content: story.content,
    authorId: story.authorId,
    language: story.language,
    status: story.status,
    version: story.version,
    contentHash: story.contentHash,
    createdAt: story.createdAt,
    updatedAt: story.updatedAt,
  };
}

/** A story in a list: no content, an excerpt instead. */
export type StorySummaryView = StoryRow;

export interface AnalysisView {
  storyId: string;
  status: AnalysisStatus;
  /** The content the results (or the failure) belong to; '' with none/analyzing. */
  contentHash: string;
  characters: StoredCharacter[];
  emotions: EmotionMoment[];
  errorCode: string | null;
  errorMessage: string | null;
  completedAt: Date | null;
}

export interface CharactersView {
  characters: StoredCharacter[];
  contentHash: string;
}

export type FollowerView = FollowerRow;

export type FollowingView = FollowingRow;
