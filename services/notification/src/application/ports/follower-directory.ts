/** One page of an author's followers (story's ListFollowers). */
export interface FollowerDirectory {
  followers(authorId: string, cursor: string | undefined, limit: number): Promise<{ userIds: string[]; nextCursor?: string }>;
}
export const FOLLOWER_DIRECTORY = Symbol('notification.FollowerDirectory');
