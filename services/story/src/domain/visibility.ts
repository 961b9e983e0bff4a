import type { StoryStatus } from './story-status.js';

/** Who is asking, as the rules need it: the verified caller's user id and role (the platform's Caller). */
interface Asking {
  readonly userId: string;
  readonly role: string;
}

/** Roles that may archive anybody's story (moderation). */
export const STORY_ADMIN_ROLES: readonly string[] = ['admin', 'super-admin'];

/**
 * The role of a fleet service's token (the platform's SERVICE_TOKEN_ROLE, docs/adr/0016): a
 * service acting for a saga or a worker, with no user behind the call.
 */
export const SERVICE_READER_ROLE = 'service';

/**
 * Who may read a story (docs/adr/0007-story.md, docs/story.md "Surface"): its author always
 * (archived ones included); anyone signed in once it is published; a fleet service (a service
 * token, on the RPCs that accept one) every story that is not archived — narration narrates an
 * analysed story for the publishing saga before it is published, while an archived story is
 * deleted for everyone but its author; nobody else. Drafts, stories being analysed and
 * analysed-but-unpublished stories are otherwise private working state. Everyone who may not
 * read a story is told it does not exist.
 */
export function mayRead(story: { authorId: string; status: StoryStatus }, caller: Asking): boolean {
  if (caller.role === SERVICE_READER_ROLE) return story.status !== 'archived';
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
