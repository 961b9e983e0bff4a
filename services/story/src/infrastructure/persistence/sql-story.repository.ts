import type { Clock } from '@storytelling/kernel';
import type { EventStore } from '@storytelling/platform';
import type { EntityManager } from 'typeorm';
import type { StoryRepository, StoryStatus } from '../../domain/index.js';
import { STORY_AGGREGATE_TYPE, Story, isStoryStatus } from '../../domain/index.js';
import { AggregateRows } from './aggregate-rows.js';
import { queryPrepared, type PreparedStatement } from './prepared-statement.js';
import { StoryRecord } from './entities.js';

/** A story status read from the database (the check constraint keeps others out). */
export function statusOf(value: string): StoryStatus {
  if (!isStoryStatus(value)) throw new Error(`unknown story status in the database: ${value}`);
  return value;
}

/** A `stories` row as node-postgres returns it (timestamptz → Date, integer → number). */
interface StoryByIdRow {
  id: string;
  author_id: string;
  title: string;
  content: string;
  content_hash: string;
  language: string;
  status: string;
  published_at: Date | null;
  version: number;
  created_at: Date;
  updated_at: Date;
}

/** GetStory's read (docs/benchmarks.md, gateway read path): parsed and planned once per connection. */
const FIND_STORY_BY_ID: PreparedStatement = {
  name: 'story_find_by_id',
  text: `SELECT id, author_id, title, content, content_hash, language, status, published_at, version, created_at, updated_at
           FROM stories WHERE id = $1`,
};

/** First key of story's per-author creation lock (pg_advisory_xact_lock(int4, int4)). */
const CREATION_LOCK_CLASS = 0x5707;

export class SqlStoryRepository implements StoryRepository {
  private readonly rows: AggregateRows<StoryRecord>;

  constructor(
    private readonly em: EntityManager,
    events: EventStore,
    private readonly clock: Clock,
  ) {
    this.rows = new AggregateRows(em, events, StoryRecord, STORY_AGGREGATE_TYPE);
  }

  /**
   * One primary-key read (GetStory's hot path) as a named prepared statement: TypeORM's
   * findOneBy built a query builder and mapped an entity on each call, and an unnamed statement
   * has PostgreSQL parse and plan it on every call, about half its CPU for this read
   * (docs/benchmarks.md, bench:stories).
   */
  async findById(id: string): Promise<Story | undefined> {
    const rows = await queryPrepared<StoryByIdRow>(this.em, FIND_STORY_BY_ID, [id]);
    const r = rows[0];
    return r ? this.hydrate(r) : undefined;
  }

  async lockCreationsBy(authorId: string): Promise<void> {
    // Transaction-scoped advisory lock in a key space of its own (two int4 keys: never the
    // outbox relay's single bigint key).
    await this.em.query(`SELECT pg_advisory_xact_lock(${CREATION_LOCK_CLASS}, hashtext($1))`, [authorId]);
  }

  async countCreatedSince(authorId: string, since: Date): Promise<number> {
    const rows: Array<{ n: string }> = await this.em.query(`SELECT count(*) AS n FROM stories WHERE author_id = $1 AND created_at >= $2`, [authorId, since]);
    return Number(rows[0]?.n ?? 0);
  }

  async listUnarchivedByAuthor(authorId: string): Promise<Story[]> {
    const rows: StoryByIdRow[] = await this.em.query(
      `SELECT id, author_id, title, content, content_hash, language, status, published_at, version, created_at, updated_at
         FROM stories WHERE author_id = $1 AND status <> 'archived' ORDER BY id FOR UPDATE`,
      [authorId],
    );
    return rows.map((r) => this.hydrate(r));
  }

  async add(story: Story): Promise<void> {
    await this.rows.insert(story, this.toRecord(story));
  }

  async save(story: Story): Promise<void> {
    const { id: _id, createdAt: _createdAt, authorId: _authorId, ...changes } = this.toRecord(story);
    await this.rows.update(story, changes);
  }

  private toRecord(story: Story): StoryRecord {
    const s = story.toState();
    return {
      id: s.id,
      title: s.title,
      content: s.content,
      contentHash: s.contentHash,
      authorId: s.authorId,
      language: s.language,
      status: s.status,
      publishedAt: s.publishedAt,
      version: s.version,
      createdAt: s.createdAt,
      updatedAt: s.updatedAt,
    };
  }

  private hydrate(r: StoryByIdRow): Story {
    return Story.rehydrate(
      {
        id: r.id,
        authorId: r.author_id,
        title: r.title,
        content: r.content,
        contentHash: r.content_hash,
        language: r.language,
        status: statusOf(r.status),
        publishedAt: r.published_at,
        createdAt: r.created_at,
        updatedAt: r.updated_at,
        version: r.version,
      },
      this.clock,
    );
  }
}
