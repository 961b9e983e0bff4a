import type { Clock } from '@storytelling/kernel';
import { AggregateRoot, systemClock } from '@storytelling/kernel';
import { AuthorNotFoundError, CannotFollowSelfError } from './errors.js';
import type { AuthorFollowedData, AuthorUnfollowedData } from './events.js';
import { StoryEventTypes } from './events.js';

/** What a deactivated user's authorship shows: no personal data is kept (GDPR). */
export const FORMER_AUTHOR_NAME = 'Former author';
export const DISPLAY_NAME_MAX = 100;

export interface AuthorState {
  id: string;
  displayName: string;
  active: boolean;
  /**
   * The identity user's aggregate version this copy reflects (the CloudEvents `aggregateversion`
   * of the last identity event applied). Older events are ignored, so redelivery and
   * out-of-order delivery leave the newest state.
   */
  identityVersion: number;
  createdAt: Date;
  updatedAt: Date;
  /** This aggregate's own event count (AuthorFollowed / AuthorUnfollowed). */
  version: number;
}

/**
 * The story context's view of a user (ARCHITECTURE.md §1, anti-corruption layer): built from
 * identity's UserRegistered / UserProfileUpdated / UserDeactivated, never by asking identity at
 * request time. The author is also the aggregate of the follow relationship: AuthorFollowed and
 * AuthorUnfollowed are its events, keyed by its id.
 */
export class Author extends AggregateRoot {
  private constructor(
    id: string,
    private state: Omit<AuthorState, 'id' | 'version'>,
    version: number,
    clock: Clock,
  ) {
    super(id, version, clock);
  }

  /** First sight of a user: registration (or a later profile event, when it overtook it). */
  static fromIdentity(id: string, displayName: string, identityVersion: number, clock: Clock = systemClock): Author {
    const now = clock.now();
    return new Author(id, { displayName: cleanDisplayName(displayName), active: true, identityVersion, createdAt: now, updatedAt: now }, 0, clock);
  }

  /** A user whose deactivation is the first thing the story context hears of them. */
  static deactivatedFromIdentity(id: string, identityVersion: number, clock: Clock = systemClock): Author {
    const now = clock.now();
    return new Author(id, { displayName: FORMER_AUTHOR_NAME, active: false, identityVersion, createdAt: now, updatedAt: now }, 0, clock);
  }

  static rehydrate(state: AuthorState, clock: Clock = systemClock): Author {
    const { id, version, ...rest } = state;
    return new Author(id, { ...rest }, version, clock);
  }

  get displayName(): string {
    return this.state.displayName;
  }
  get active(): boolean {
    return this.state.active;
  }
  get identityVersion(): number {
    return this.state.identityVersion;
  }
  get createdAt(): Date {
    return this.state.createdAt;
  }
  get updatedAt(): Date {
    return this.state.updatedAt;
  }

  /**
   * The user's display name as of identity version `identityVersion`. Ignored when this copy
   * already reflects that version or a newer one, and after deactivation (final).
   * @returns whether anything changed.
   */
  applyProfile(displayName: string, identityVersion: number): boolean {
    if (!this.state.active || identityVersion <= this.state.identityVersion) return false;
    const name = cleanDisplayName(displayName);
    this.state.identityVersion = identityVersion;
    if (name !== this.state.displayName) {
      this.state.displayName = name;
      this.state.updatedAt = this.clock.now();
    }
    return true;
  }

  /** The user was deactivated: authorship becomes anonymous, for good. @returns whether anything changed. */
  deactivate(identityVersion: number): boolean {
    if (!this.state.active) {
      if (identityVersion > this.state.identityVersion) this.state.identityVersion = identityVersion;
      return false;
    }
    this.state.active = false;
    this.state.displayName = FORMER_AUTHOR_NAME;
    this.state.identityVersion = Math.max(identityVersion, this.state.identityVersion);
    this.state.updatedAt = this.clock.now();
    return true;
  }

  /**
   * `followerId` starts following this author. Whether they already do is the repository's
   * knowledge: call this only when they do not. @throws CannotFollowSelfError, AuthorNotFoundError (deactivated)
   */
  recordFollow(followerId: string): Date {
    this.assertFollowable(followerId);
    const now = this.clock.now();
    this.record<AuthorFollowedData>(StoryEventTypes.AuthorFollowed, { authorId: this.id, followerId, followedAt: now.toISOString() });
    return now;
  }

  /** `followerId` stops following. Call only when they did. */
  recordUnfollow(followerId: string): Date {
    const now = this.clock.now();
    this.record<AuthorUnfollowedData>(StoryEventTypes.AuthorUnfollowed, { authorId: this.id, followerId, unfollowedAt: now.toISOString() });
    return now;
  }

  assertFollowable(followerId: string): void {
    if (followerId === this.id) throw new CannotFollowSelfError();
    if (!this.state.active) throw new AuthorNotFoundError();
  }

  toState(): AuthorState {
    return { id: this.id, version: this.version, ...this.state };
  }
}

/** Display names as identity sends them, trimmed and capped (identity allows at most 100). */
export function cleanDisplayName(raw: string): string {
  const value = raw.trim().normalize('NFC');
  const chars = [...value];
  return chars.length > DISPLAY_NAME_MAX ? chars.slice(0, DISPLAY_NAME_MAX).join('') : value;
}
