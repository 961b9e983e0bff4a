import type { Author } from './author.js';
import type { Story } from './story.js';

/**
 * Aggregate repository ports. An instance is bound to one transaction (application/ports
 * StoryUnitOfWork); saving an aggregate writes its state and appends its pending events to the
 * outbox in that same transaction, then marks them persisted.
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
}
