import type { StoryStatus } from './story-status.js';

/** Who is asking, as the rules need it: the verified caller's user id and role (the platform's Caller). */
interface Asking {
  readonly userId: string;
  readonly role: string;
}

/** Roles that may archive anybody's story (moderation). */
export const STORY_ADMIN_ROLES: readonly string[] = ['admin', 'super-admin'];

/**
 * Who may read a story (docs/adr/0007-story.md): its author always (archived ones included);
 * anyone signed in once it is published; nobody else. Drafts, stories being analysed and
 * analysed-but-unpublished stories are private working state. Everyone who may not read a
 * story is told it does not exist.
 */
export function mayRead(story: { authorId: string; status: StoryStatus }, caller: Asking): boolean {
  if (story.authorId === caller.userId) return true;
  return story.status === 'published';
}

/** Delete = archive: the author, or an admin / super-admin (from the token's role claim). */
export function mayArchive(story: { authorId: string }, caller: Asking): boolean {
  return story.authorId === caller.userId || STORY_ADMIN_ROLES.includes(caller.role);
}

/** Only the author edits, and asks for analyses. */
export function mayEdit(story: { authorId: string }, caller: Asking): boolean {
  return story.authorId === caller.userId;
}
