import type { EntityManager } from 'typeorm';
import type { FollowRepository } from '../../domain/index.js';

export class SqlFollowRepository implements FollowRepository {
  constructor(private readonly em: EntityManager) {}

  async isFollowing(authorId: string, followerId: string): Promise<boolean> {
    const rows: unknown[] = await this.em.query(`SELECT 1 FROM story_followers WHERE author_id = $1 AND follower_id = $2`, [authorId, followerId]);
    return rows.length > 0;
  }

  async add(authorId: string, followerId: string, at: Date): Promise<void> {
    await this.em.query(`INSERT INTO story_followers (author_id, follower_id, followed_at) VALUES ($1, $2, $3)`, [authorId, followerId, at]);
  }

  async remove(authorId: string, followerId: string): Promise<void> {
    await this.em.query(`DELETE FROM story_followers WHERE author_id = $1 AND follower_id = $2`, [authorId, followerId]);
  }

  async followedBy(followerId: string): Promise<string[]> {
    const rows: Array<{ author_id: string }> = await this.em.query(`SELECT author_id FROM story_followers WHERE follower_id = $1 ORDER BY author_id`, [followerId]);
    return rows.map((r) => r.author_id);
  }

  async followersOf(authorId: string): Promise<string[]> {
    const rows: Array<{ follower_id: string }> = await this.em.query(`SELECT follower_id FROM story_followers WHERE author_id = $1 ORDER BY follower_id`, [authorId]);
    return rows.map((r) => r.follower_id);
  }
}
