import type { StoryStatus } from './story-status.js';

/** Who is asking: the verified caller (user id and role from the access token). */
export interface Viewer {
  userId: string;
  role: string;
}

/** Roles that may archive anybody's story (moderation). */
export const STORY_ADMIN_ROLES: readonly string[] = ['admin', 'super-admin'];

/**
 * Who may read a story (docs/adr/0007-story.md): its author always (archived ones included);
 * anyone signed in once it is published; nobody else. Drafts, stories being analysed and
 * analysed-but-unpublished stories are private working state. Everyone who may not read a
 * story is told it does not exist.
 */
export function mayRead(story: { authorId: string; status: StoryStatus }, viewer: Viewer): boolean {
  if (story.authorId === viewer.userId) return true;
  return story.status === 'published';
}

/** Delete = archive: the author, or an admin / super-admin (from the token's role claim). */
export function mayArchive(story: { authorId: string }, viewer: Viewer): boolean {
  return story.authorId === viewer.userId || STORY_ADMIN_ROLES.includes(viewer.role);
}

/** Only the author edits, and asks for analyses. */
export function mayEdit(story: { authorId: string }, viewer: Viewer): boolean {
  return story.authorId === viewer.userId;
}
