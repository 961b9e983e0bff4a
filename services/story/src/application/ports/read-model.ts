import type { Keyset } from '@storytelling/kernel';
import type { StoryStatus } from '../../domain/index.js';


export interface StoryRow {
  id: string;
  authorId: string;
  title: string;
  excerpt: string;
  contentLength: number;
  contentHash: string;
  language: string;
  status: StoryStatus;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface StoryListFilter {
  /** The caller: their own stories are visible in every status. */
  viewerId: string;
  authorId?: string;
  status?: StoryStatus;
}

export interface FollowerRow {
  userId: string;
  /** '' when the follower's registration has not reached the story context yet. */
  displayName: string;
  followedAt: Date;
}

/** Queries answered straight from the tables (no aggregates), keyset-paginated, newest first. */
export interface StoryReadModel {
  /** Up to `limit` stories after `after` (exclusive) visible under `filter` (docs/adr/0007-story.md). */
  listStories(filter: StoryListFilter, limit: number, after?: Keyset): Promise<StoryRow[]>;
  listFollowers(authorId: string, limit: number, after?: Keyset): Promise<FollowerRow[]>;
}
