import type { AnalysisStatus, CharacterRole, Emotion, StoryStatus } from '../domain/stories.js';

/** A story as the API shows it (API.md § Stories, POST /stories and GET /stories/:id). */
export interface StoryView {
  id: string;
  title: string;
  content: string;
  authorId: string;
  language: string;
  status: StoryStatus;
  version: number;
  createdAt: string;
  updatedAt: string;
}

/** A story in a list: everything but the content, with an excerpt and the content's length. */
export interface StorySummaryView {
  id: string;
  title: string;
  authorId: string;
  language: string;
  status: StoryStatus;
  version: number;
  /** The first 280 characters of the content. */
  excerpt: string;
  /** Length of the content in characters (code points). */
  contentLength: number;
  createdAt: string;
  updatedAt: string;
}

export interface Page<T> {
  items: T[];
  /** Cursor of the next page; null on the last page. */
  nextCursor: string | null;
}

export interface PageRequest {
  /** 1..100 (the gateway applies the default 20). */
  limit: number;
  cursor?: string;
}

export interface ListStoriesQuery extends PageRequest {
  authorId?: string;
  status?: StoryStatus;
}

export interface CreateStoryInput {
  title: string;
  content: string;
  language?: string;
}

/** Absent keys are unchanged. */
export interface StoryPatch {
  title?: string;
  content?: string;
}

export interface CharacterView {
  id: string;
  name: string;
  description: string;
  personality: string;
  role: CharacterRole;
  traits: string[];
}

export interface EmotionView {
  emotion: Emotion;
  /** 1..10. */
  intensity: number;
  context: string;
  quote: string;
  segmentIndex: number;
}

export interface AnalysisView {
  status: AnalysisStatus;
  characters: CharacterView[];
  emotions: EmotionView[];
  /** When the results (or the failure) were recorded; null while none/analyzing. */
  completedAt: string | null;
  /** Only with status `failed`. */
  error?: { code: string; message: string };
}

export interface FollowerView {
  id: string;
  /** null until the follower's registration has reached the story context. */
  displayName: string | null;
  followedAt: string;
}

/** An author the caller follows. */
export interface FollowedAuthorView {
  id: string;
  /** null until the author's registration has reached the story context. */
  displayName: string | null;
  followedAt: string;
}

/**
 * What the gateway needs from the story service. Every call acts for the caller: the adapter
 * forwards the verified bearer token from the request context, and the story service decides
 * ownership and visibility (a story the caller may not see is NOT_FOUND, as an absent one).
 * Failures are thrown as gRPC service errors, which the problem filter maps.
 */
export interface StoryPort {
  createStory(input: CreateStoryInput): Promise<StoryView>;
  getStory(id: string): Promise<StoryView>;
  listStories(query: ListStoriesQuery): Promise<Page<StorySummaryView>>;
  /** `expectedVersion` comes from If-Match; stale → VERSION_CONFLICT (412). */
  updateStory(id: string, patch: StoryPatch, expectedVersion: number): Promise<StoryView>;
  /** Idempotent. `expectedVersion` (optional If-Match) guards against archiving a changed story. */
  archiveStory(id: string, expectedVersion?: number): Promise<void>;
  /** The analysis in its pending state (or already done, when an analysis of the same content is reused). */
  requestAnalysis(storyId: string): Promise<AnalysisView>;
  getAnalysis(storyId: string): Promise<AnalysisView>;
  followAuthor(authorId: string): Promise<void>;
  unfollowAuthor(authorId: string): Promise<void>;
  listFollowers(authorId: string, page: PageRequest): Promise<Page<FollowerView>>;
  /** The authors the caller follows, most recently followed first (the GDPR export). */
  listFollowing(page: PageRequest): Promise<Page<FollowedAuthorView>>;
  /** Resolves when the story service answers its gRPC health check as SERVING. */
  checkHealth(): Promise<void>;
  close(): void;
}

export const STORY_PORT = Symbol('STORY_PORT');
