import type { Keyset } from '@storytelling/kernel';
import type { EntityManager } from 'typeorm';
import type { FollowerRow, FollowingRow, StoryListFilter, StoryReadModel, StoryRow } from '../../domain/index.js';
import { excerptOf } from '../../domain/index.js';
import { statusOf } from './sql-story.repository.js';

interface StoryListRow {
  id: string;
  author_id: string;
  title: string;
  head: string;
  content_length: number;
  content_hash: string;
  language: string;
  status: string;
  version: number;
  created_at: Date;
  updated_at: Date;
}

const LIST_COLUMNS = `id, author_id, title, left(content, 600) AS head, char_length(content) AS content_length, content_hash,
                      language, status, version, created_at, updated_at`;

export class SqlStoryReadRepository implements StoryReadModel {
  constructor(private readonly em: EntityManager) {}

  async listStories(filter: StoryListFilter, limit: number, after?: Keyset): Promise<StoryRow[]> {
    const params: unknown[] = [limit];
    const p = (value: unknown): string => {
      params.push(value);
      return `$${params.length}`;
    };
    const keyset = after ? ` AND (created_at, id) < (${p(after.at)}::timestamptz, ${p(after.id)}::uuid)` : '';
    const branch = (where: string) => `(SELECT ${LIST_COLUMNS} FROM stories WHERE ${where}${keyset} ORDER BY created_at DESC, id DESC LIMIT $1)`;
    const me = filter.callerId;
    let sql: string;
    if (filter.authorId !== undefined && filter.authorId !== me) {
      // Someone else's stories: published ones only.
      if (filter.status !== undefined && filter.status !== 'published') return [];
      sql = branch(`author_id = ${p(filter.authorId)} AND status = 'published'`);
    } else if (filter.authorId === me) {
      sql = branch(`author_id = ${p(me)} AND ${filter.status !== undefined ? `status = ${p(filter.status)}` : `status <> 'archived'`}`);
    } else if (filter.status === 'published') {
      sql = branch(`status = 'published'`);
    } else if (filter.status !== undefined) {
      sql = branch(`author_id = ${p(me)} AND status = ${p(filter.status)}`);
    } else {
      // The caller's own unpublished, unarchived stories, merged with everybody's published ones
      // (the caller's included): two index scans, no duplicates.
      sql = `SELECT * FROM (${branch(`author_id = ${p(me)} AND status NOT IN ('archived', 'published')`)}
                UNION ALL ${branch(`status = 'published'`)}) visible
              ORDER BY created_at DESC, id DESC LIMIT $1`;
    }
    const rows: StoryListRow[] = await this.em.query(sql, params);
    return rows.map((r) => ({
      id: r.id,
      authorId: r.author_id,
      title: r.title,
      excerpt: excerptOf(r.head),
      contentLength: Number(r.content_length),
      contentHash: r.content_hash,
      language: r.language,
      status: statusOf(r.status),
      version: r.version,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
    }));
  }

  async listFollowers(authorId: string, limit: number, after?: Keyset): Promise<FollowerRow[]> {
    const params: unknown[] = [authorId, limit];
    let keyset = '';
    if (after) {
      params.push(after.at, after.id);
      keyset = ` AND (f.followed_at, f.follower_id) < ($3::timestamptz, $4::uuid)`;
    }
    const rows: Array<{ follower_id: string; display_name: string | null; followed_at: Date }> = await this.em.query(
      `SELECT f.follower_id, a.display_name, f.followed_at
         FROM story_followers f LEFT JOIN authors a ON a.id = f.follower_id
        WHERE f.author_id = $1${keyset}
        ORDER BY f.followed_at DESC, f.follower_id DESC
        LIMIT $2`,
      params,
    );
    return rows.map((r) => ({ userId: r.follower_id, displayName: r.display_name ?? '', followedAt: r.followed_at }));
  }

  async listFollowing(followerId: string, limit: number, after?: Keyset): Promise<FollowingRow[]> {
    const params: unknown[] = [followerId, limit];
    let keyset = '';
    if (after) {
      params.push(after.at, after.id);
      keyset = ` AND (f.followed_at, f.author_id) < ($3::timestamptz, $4::uuid)`;
    }
    // story_followers_follower_idx finds one member's follows; they are few enough to sort.
    const rows: Array<{ author_id: string; display_name: string | null; followed_at: Date }> = await this.em.query(
      `SELECT f.author_id, a.display_name, f.followed_at
         FROM story_followers f LEFT JOIN authors a ON a.id = f.author_id
        WHERE f.follower_id = $1${keyset}
        ORDER BY f.followed_at DESC, f.author_id DESC
        LIMIT $2`,
      params,
    );
    return rows.map((r) => ({ authorId: r.author_id, displayName: r.display_name ?? '', followedAt: r.followed_at }));
  }
}
