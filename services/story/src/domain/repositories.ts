import type { JobFailure, Keyset, LeasedJob, LeasedJobStatus } from '@storytelling/kernel';
import type { EmotionMoment, StoredCharacter } from './analysis.js';
import type { Author } from './author.js';
import type { Story } from './story.js';
import type { StoryStatus } from './story-status.js';

/**
 * The story context's repository ports and their bundle. An instance is bound to one transaction
 * (application/ports StoryUnitOfWork); saving an aggregate writes its state and appends its
 * pending events to the outbox in that same transaction, then marks them persisted.
 */
export interface StoryRepository {
  findById(id: string): Promise<Story | undefined>;
  add(story: Story): Promise<void>;
  /** Updates at `story.loadedVersion`. @throws VersionConflictError when another writer moved it on. */
  save(story: Story): Promise<void>;
  /** Serialises creations by one author until the transaction ends (the quota check counts under it). */
  lockCreationsBy(authorId: string): Promise<void>;
  /** Stories the author created at or after `since`, archived ones included (a creation uses quota). */
  countCreatedSince(authorId: string, since: Date): Promise<number>;
  /** The author's stories that are not archived yet, locked until the transaction ends (erasure). */
  listUnarchivedByAuthor(authorId: string): Promise<Story[]>;
}

export interface AuthorRepository {
  /** With `lock`, the row stays locked until the transaction ends (follows of one author serialise). */
  findById(id: string, options?: { lock?: boolean }): Promise<Author | undefined>;
  add(author: Author): Promise<void>;
  /** Writes the ACL fields and appends pending events. @throws VersionConflictError */
  save(author: Author): Promise<void>;
}

export interface FollowRepository {
  isFollowing(authorId: string, followerId: string): Promise<boolean>;
  add(authorId: string, followerId: string, at: Date): Promise<void>;
  remove(authorId: string, followerId: string): Promise<void>;
  /** The authors `followerId` follows, in id order (the order locks are taken in). */
  followedBy(followerId: string): Promise<string[]>;
  /** Who follows `authorId`, in id order. */
  followersOf(authorId: string): Promise<string[]>;
}

/** The stored analysis of a story: one row per (story, type) plus the character and emotion rows. */
export interface StoredAnalysis {
  storyId: string;
  contentHash: string;
  characters: StoredCharacter[];
  emotions: EmotionMoment[];
  /** Which adapter produced it (e.g. `local`, `llm:<model>`). */
  analyser: string;
  createdAt: Date;
}

export interface AnalysisRepository {
  /** The stored analysis, whatever content it is for; undefined when the story never had one. */
  find(storyId: string): Promise<StoredAnalysis | undefined>;
  /** Replaces the stored analysis (both types, characters and emotions) of a story. */
  replace(analysis: StoredAnalysis): Promise<void>;
}

export type AnalysisJobStatus = LeasedJobStatus;

/**
 * A durable analysis job (table analysis_jobs), a LeasedJob of the kernel. At most one job per
 * story is active (pending or running). A running job belongs to the worker named in
 * `leaseOwner` until `leaseExpiresAt`; after that any worker may claim it again (the first one
 * crashed or hung).
 */
export interface AnalysisJob extends LeasedJob {
  storyId: string;
  contentHash: string;
  /** The status the story had when the analysis was requested (where a failure returns it). */
  previousStatus: StoryStatus;
  completedAt: Date | null;
}

export interface NewAnalysisJob {
  id: string;
  storyId: string;
  contentHash: string;
  previousStatus: StoryStatus;
  at: Date;
}

export type { JobFailure };

export interface AnalysisJobRepository {
  enqueue(job: NewAnalysisJob): Promise<void>;
  /** Cancels the story's active job, if any (its content changed or it was archived). */
  cancelActive(storyId: string, at: Date): Promise<number>;
  /**
   * Claims one due job (pending with run_after ≤ now, or running with an expired lease) with
   * FOR UPDATE SKIP LOCKED, so concurrent workers never take the same one: it becomes running,
   * owned by `workerId` until now + leaseMs, attempts + 1. Commits on its own (call it on the
   * reader, outside any transaction).
   */
  claim(workerId: string, leaseMs: number): Promise<AnalysisJob | undefined>;
  /** Locks the job for the rest of the transaction if `workerId` still owns it (running, lease held). */
  lockOwned(jobId: string, workerId: string): Promise<AnalysisJob | undefined>;
  /** Extends `workerId`'s lease by `leaseMs` from now (the heartbeat, own transaction). @returns false when it no longer holds it. */
  renew(jobId: string, workerId: string, leaseMs: number): Promise<boolean>;
  markSucceeded(jobId: string, at: Date): Promise<void>;
  markCancelled(jobId: string, at: Date): Promise<void>;
  markFailed(jobId: string, failure: JobFailure, at: Date): Promise<void>;
  /** Back to pending until `runAfter`, remembering the failure. */
  reschedule(jobId: string, runAfter: Date, failure: JobFailure, at: Date): Promise<void>;
  /** Hands an interrupted job back (shutdown): pending now, and the interrupted attempt does not count. */
  release(jobId: string, at: Date): Promise<void>;
  /** The newest failed job of the story. */
  lastFailure(storyId: string): Promise<AnalysisJob | undefined>;
}

/** A story in a list: no content, an excerpt instead. */
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
  callerId: string;
  authorId?: string;
  status?: StoryStatus;
}

export interface FollowerRow {
  userId: string;
  /** '' when the follower's registration has not reached the story context yet. */
  displayName: string;
  followedAt: Date;
}

export interface FollowingRow {
  authorId: string;
  /** '' when the author's registration has not reached the story context yet. */
  displayName: string;
  followedAt: Date;
}

/** Queries answered straight from the tables (no aggregates), keyset-paginated, newest first. */
export interface StoryReadModel {
  /** Up to `limit` stories after `after` (exclusive) visible under `filter` (docs/adr/0007-story.md). */
  listStories(filter: StoryListFilter, limit: number, after?: Keyset): Promise<StoryRow[]>;
  listFollowers(authorId: string, limit: number, after?: Keyset): Promise<FollowerRow[]>;
  /** The authors `followerId` follows, most recently followed first. */
  listFollowing(followerId: string, limit: number, after?: Keyset): Promise<FollowingRow[]>;
}

/** Everything a story use case reads or writes, bound to one unit of work. */
export interface StoryRepositories {
  stories: StoryRepository;
  authors: AuthorRepository;
  follows: FollowRepository;
  analyses: AnalysisRepository;
  jobs: AnalysisJobRepository;
  reads: StoryReadModel;
}
