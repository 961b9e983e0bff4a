import type { Clock, Keyset } from '@storytelling/kernel';
import { VersionConflictError } from '@storytelling/kernel';
import type { EventStore } from '@storytelling/platform';
import type { EntityManager } from 'typeorm';
import type {
  AnalysisJob,
  AnalysisJobStore,
  AnalysisStore,
  FollowerRow,
  JobFailure,
  NewAnalysisJob,
  StoredAnalysis,
  StoryListFilter,
  StoryReadModel,
  StoryRepositories,
  StoryRow,
} from '../../application/ports/index.js';
import type { AuthorRepository, FollowRepository, StoryRepository, StoryStatus } from '../../domain/index.js';
import {
  AUTHOR_AGGREGATE_TYPE,
  Author,
  STORY_AGGREGATE_TYPE,
  Story,
  excerptOf,
  isCharacterRole,
  isEmotion,
  isStoryStatus,
} from '../../domain/index.js';
import { AuthorRecord, StoryRecord } from './entities.js';

function statusOf(value: string): StoryStatus {
  if (!isStoryStatus(value)) throw new Error(`unknown story status in the database: ${value}`);
  return value;
}

/** TypeORM's raw query answers UPDATE … RETURNING with `[rows, rowCount]` on Postgres, SELECT with rows. */
function rowsOf<T>(result: unknown): T[] {
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') return result[0] as T[];
  return result as T[];
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

const FIND_STORY_BY_ID = `SELECT id, author_id, title, content, content_hash, language, status, published_at, version, created_at, updated_at
                            FROM stories WHERE id = $1`;

/** First key of story's per-author creation lock (pg_advisory_xact_lock(int4, int4)). */
const CREATION_LOCK_CLASS = 0x5707;

export class TypeOrmStoryRepository implements StoryRepository {
  constructor(
    private readonly em: EntityManager,
    private readonly events: EventStore,
    private readonly clock: Clock,
  ) {}

  /**
   * One primary-key read as a raw parameterised query (GetStory's hot path): TypeORM's
   * findOneBy builds a query builder, aliases every column and maps an entity on each call,
   * which cost more CPU than the read itself (docs/benchmarks.md, bench:stories).
   */
  async findById(id: string): Promise<Story | undefined> {
    const rows: StoryByIdRow[] = await this.em.query(FIND_STORY_BY_ID, [id]);
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

  async add(story: Story): Promise<void> {
    await this.em.insert(StoryRecord, this.toRecord(story));
    await this.events.append(this.em, story, STORY_AGGREGATE_TYPE);
  }

  async save(story: Story): Promise<void> {
    const { id, createdAt: _createdAt, authorId: _authorId, ...changes } = this.toRecord(story);
    const result = await this.em
      .createQueryBuilder()
      .update(StoryRecord)
      .set(changes)
      .where('id = :id AND version = :expected', { id, expected: story.loadedVersion })
      .execute();
    if (result.affected !== 1) throw new VersionConflictError(id, story.loadedVersion);
    await this.events.append(this.em, story, STORY_AGGREGATE_TYPE);
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

export class TypeOrmAuthorRepository implements AuthorRepository {
  constructor(
    private readonly em: EntityManager,
    private readonly events: EventStore,
    private readonly clock: Clock,
  ) {}

  async findById(id: string, options: { lock?: boolean } = {}): Promise<Author | undefined> {
    const r = await this.em.findOne(AuthorRecord, { where: { id }, ...(options.lock ? { lock: { mode: 'pessimistic_write' as const } } : {}) });
    return r ? Author.rehydrate({ ...r, active: r.isActive }, this.clock) : undefined;
  }

  async add(author: Author): Promise<void> {
    await this.em.insert(AuthorRecord, this.toRecord(author));
    await this.events.append(this.em, author, AUTHOR_AGGREGATE_TYPE);
  }

  async save(author: Author): Promise<void> {
    const { id, createdAt: _createdAt, ...changes } = this.toRecord(author);
    const result = await this.em
      .createQueryBuilder()
      .update(AuthorRecord)
      .set(changes)
      .where('id = :id AND version = :expected', { id, expected: author.loadedVersion })
      .execute();
    if (result.affected !== 1) throw new VersionConflictError(id, author.loadedVersion);
    await this.events.append(this.em, author, AUTHOR_AGGREGATE_TYPE);
  }

  private toRecord(author: Author): AuthorRecord {
    const s = author.toState();
    return {
      id: s.id,
      displayName: s.displayName,
      isActive: s.active,
      identityVersion: s.identityVersion,
      version: s.version,
      createdAt: s.createdAt,
      updatedAt: s.updatedAt,
    };
  }
}

export class TypeOrmFollowRepository implements FollowRepository {
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
}

interface AnalysisHeaderRow {
  analysis_type: string;
  content_hash: string;
  analyser: string;
  created_at: Date;
}

interface CharacterRow {
  id: string;
  name: string;
  description: string;
  personality: string;
  role: string;
  traits: unknown;
}

interface EmotionRow {
  emotion: string;
  intensity: number;
  context: string;
  quote: string;
  segment_index: number;
}

export class TypeOrmAnalysisStore implements AnalysisStore {
  constructor(private readonly em: EntityManager) {}

  async findHeader(storyId: string): Promise<{ contentHash: string; createdAt: Date } | undefined> {
    const rows: AnalysisHeaderRow[] = await this.em.query(
      `SELECT analysis_type, content_hash, analyser, created_at FROM story_analyses WHERE story_id = $1`,
      [storyId],
    );
    // Both types are written together; an incomplete pair is no analysis.
    const chars = rows.find((r) => r.analysis_type === 'characters');
    const emos = rows.find((r) => r.analysis_type === 'emotions');
    if (!chars || !emos || chars.content_hash !== emos.content_hash) return undefined;
    return { contentHash: chars.content_hash, createdAt: chars.created_at };
  }

  async find(storyId: string): Promise<StoredAnalysis | undefined> {
    const rows: AnalysisHeaderRow[] = await this.em.query(
      `SELECT analysis_type, content_hash, analyser, created_at FROM story_analyses WHERE story_id = $1`,
      [storyId],
    );
    const chars = rows.find((r) => r.analysis_type === 'characters');
    const emos = rows.find((r) => r.analysis_type === 'emotions');
    if (!chars || !emos || chars.content_hash !== emos.content_hash) return undefined;
    const [characters, emotions] = await Promise.all([
      this.em.query(
        `SELECT id, name, description, personality, role, traits FROM story_characters WHERE story_id = $1 ORDER BY position`,
        [storyId],
      ) as Promise<CharacterRow[]>,
      this.em.query(
        `SELECT emotion, intensity, context, quote, segment_index FROM story_emotions WHERE story_id = $1 ORDER BY position`,
        [storyId],
      ) as Promise<EmotionRow[]>,
    ]);
    return {
      storyId,
      contentHash: chars.content_hash,
      analyser: chars.analyser,
      createdAt: chars.created_at,
      characters: characters.map((c) => ({
        id: c.id,
        name: c.name,
        description: c.description,
        personality: c.personality,
        role: isCharacterRole(c.role) ? c.role : 'other',
        traits: Array.isArray(c.traits) ? c.traits.filter((t): t is string => typeof t === 'string') : [],
      })),
      emotions: emotions.flatMap((e) =>
        isEmotion(e.emotion)
          ? [{ emotion: e.emotion, intensity: e.intensity, context: e.context, quote: e.quote, segmentIndex: e.segment_index }]
          : [],
      ),
    };
  }

  async replace(a: StoredAnalysis): Promise<void> {
    await this.em.query(`DELETE FROM story_characters WHERE story_id = $1`, [a.storyId]);
    await this.em.query(`DELETE FROM story_emotions WHERE story_id = $1`, [a.storyId]);
    if (a.characters.length > 0) {
      await this.em.query(
        `INSERT INTO story_characters (id, story_id, position, name, description, personality, role, traits, created_at)
         SELECT x.id, $1, x.position, x.name, x.description, x.personality, x.role, x.traits, $3
           FROM jsonb_to_recordset($2::jsonb) AS x(id uuid, position int, name text, description text, personality text, role text, traits jsonb)`,
        [a.storyId, JSON.stringify(a.characters.map((c, position) => ({ ...c, position }))), a.createdAt],
      );
    }
    if (a.emotions.length > 0) {
      await this.em.query(
        `INSERT INTO story_emotions (story_id, position, emotion, intensity, context, quote, segment_index, created_at)
         SELECT $1, x.position, x.emotion, x.intensity, x.context, x.quote, x."segmentIndex", $3
           FROM jsonb_to_recordset($2::jsonb) AS x(position int, emotion text, intensity int, context text, quote text, "segmentIndex" int)`,
        [a.storyId, JSON.stringify(a.emotions.map((e, position) => ({ ...e, position }))), a.createdAt],
      );
    }
    const summaries: Array<[string, Record<string, unknown>]> = [
      ['characters', { count: a.characters.length, names: a.characters.map((c) => c.name) }],
      ['emotions', { count: a.emotions.length }],
    ];
    for (const [type, data] of summaries) {
      await this.em.query(
        `INSERT INTO story_analyses (story_id, analysis_type, analysis_data, content_hash, analyser, version, created_at)
         VALUES ($1, $2, $3::jsonb, $4, $5, 1, $6)
         ON CONFLICT (story_id, analysis_type) DO UPDATE
           SET analysis_data = EXCLUDED.analysis_data, content_hash = EXCLUDED.content_hash, analyser = EXCLUDED.analyser,
               version = story_analyses.version + 1, created_at = EXCLUDED.created_at`,
        [a.storyId, type, JSON.stringify(data), a.contentHash, a.analyser, a.createdAt],
      );
    }
  }
}

interface JobRow {
  id: string;
  story_id: string;
  content_hash: string;
  previous_status: string;
  status: AnalysisJob['status'];
  attempts: number;
  run_after: Date;
  lease_owner: string | null;
  lease_expires_at: Date | null;
  last_error_code: string | null;
  last_error_message: string | null;
  created_at: Date;
  updated_at: Date;
  completed_at: Date | null;
}

function toJob(r: JobRow): AnalysisJob {
  return {
    id: r.id,
    storyId: r.story_id,
    contentHash: r.content_hash,
    previousStatus: statusOf(r.previous_status),
    status: r.status,
    attempts: r.attempts,
    runAfter: r.run_after,
    leaseOwner: r.lease_owner,
    leaseExpiresAt: r.lease_expires_at,
    lastErrorCode: r.last_error_code,
    lastErrorMessage: r.last_error_message,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    completedAt: r.completed_at,
  };
}

export class TypeOrmAnalysisJobStore implements AnalysisJobStore {
  constructor(private readonly em: EntityManager) {}

  async enqueue(job: NewAnalysisJob): Promise<void> {
    await this.em.query(
      `INSERT INTO analysis_jobs (id, story_id, content_hash, previous_status, status, attempts, run_after, created_at, updated_at)
       VALUES ($1, $2, $3, $4, 'pending', 0, $5, $5, $5)`,
      [job.id, job.storyId, job.contentHash, job.previousStatus, job.at],
    );
  }

  async cancelActive(storyId: string, at: Date): Promise<number> {
    const result: unknown = await this.em.query(
      `UPDATE analysis_jobs SET status = 'cancelled', lease_owner = NULL, lease_expires_at = NULL, completed_at = $2, updated_at = $2
        WHERE story_id = $1 AND status IN ('pending', 'running') RETURNING id`,
      [storyId, at],
    );
    return rowsOf(result).length;
  }

  async claim(workerId: string, leaseMs: number): Promise<AnalysisJob | undefined> {
    // Database time decides due-ness and leases, so replicas with skewed clocks agree.
    const result: unknown = await this.em.query(
      `UPDATE analysis_jobs j
          SET status = 'running', lease_owner = $1, lease_expires_at = clock_timestamp() + make_interval(secs => $2::double precision / 1000),
              attempts = j.attempts + 1, updated_at = clock_timestamp()
         FROM (SELECT id FROM analysis_jobs
                WHERE (status = 'pending' AND run_after <= clock_timestamp())
                   OR (status = 'running' AND lease_expires_at < clock_timestamp())
                ORDER BY run_after, id
                LIMIT 1
                FOR UPDATE SKIP LOCKED) due
        WHERE j.id = due.id
        RETURNING j.*`,
      [workerId, leaseMs],
    );
    const [row] = rowsOf<JobRow>(result);
    return row ? toJob(row) : undefined;
  }

  async lockOwned(jobId: string, workerId: string): Promise<AnalysisJob | undefined> {
    const rows: JobRow[] = await this.em.query(
      `SELECT * FROM analysis_jobs WHERE id = $1 AND status = 'running' AND lease_owner = $2 FOR UPDATE`,
      [jobId, workerId],
    );
    return rows[0] ? toJob(rows[0]) : undefined;
  }

  async markSucceeded(jobId: string, at: Date): Promise<void> {
    await this.finish(jobId, 'succeeded', null, at);
  }

  async markCancelled(jobId: string, at: Date): Promise<void> {
    await this.finish(jobId, 'cancelled', null, at);
  }

  async markFailed(jobId: string, failure: JobFailure, at: Date): Promise<void> {
    await this.finish(jobId, 'failed', failure, at);
  }

  async reschedule(jobId: string, runAfter: Date, failure: JobFailure, at: Date): Promise<void> {
    await this.em.query(
      `UPDATE analysis_jobs SET status = 'pending', run_after = $2, lease_owner = NULL, lease_expires_at = NULL,
              last_error_code = $3, last_error_message = $4, updated_at = $5
        WHERE id = $1`,
      [jobId, runAfter, failure.code, failure.message, at],
    );
  }

  async release(jobId: string, at: Date): Promise<void> {
    await this.em.query(
      `UPDATE analysis_jobs SET status = 'pending', run_after = $2, lease_owner = NULL, lease_expires_at = NULL,
              attempts = greatest(attempts - 1, 0), updated_at = $2
        WHERE id = $1`,
      [jobId, at],
    );
  }

  async lastFailure(storyId: string): Promise<AnalysisJob | undefined> {
    const rows: JobRow[] = await this.em.query(
      `SELECT * FROM analysis_jobs WHERE story_id = $1 AND status = 'failed' ORDER BY completed_at DESC, id DESC LIMIT 1`,
      [storyId],
    );
    return rows[0] ? toJob(rows[0]) : undefined;
  }

  private async finish(jobId: string, status: 'succeeded' | 'failed' | 'cancelled', failure: JobFailure | null, at: Date): Promise<void> {
    await this.em.query(
      `UPDATE analysis_jobs SET status = $2, lease_owner = NULL, lease_expires_at = NULL, completed_at = $3, updated_at = $3,
              last_error_code = coalesce($4, last_error_code), last_error_message = coalesce($5, last_error_message)
        WHERE id = $1`,
      [jobId, status, at, failure?.code ?? null, failure?.message ?? null],
    );
  }
}

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

export class SqlStoryReadModel implements StoryReadModel {
  constructor(private readonly em: EntityManager) {}

  async listStories(filter: StoryListFilter, limit: number, after?: Keyset): Promise<StoryRow[]> {
    const params: unknown[] = [limit];
    const p = (value: unknown): string => {
      params.push(value);
      return `$${params.length}`;
    };
    const keyset = after ? ` AND (created_at, id) < (${p(after.at)}::timestamptz, ${p(after.id)}::uuid)` : '';
    const branch = (where: string) => `(SELECT ${LIST_COLUMNS} FROM stories WHERE ${where}${keyset} ORDER BY created_at DESC, id DESC LIMIT $1)`;
    const me = filter.viewerId;
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
}

export function typeOrmRepositories(em: EntityManager, events: EventStore, clock: Clock): StoryRepositories {
  return {
    stories: new TypeOrmStoryRepository(em, events, clock),
    authors: new TypeOrmAuthorRepository(em, events, clock),
    follows: new TypeOrmFollowRepository(em),
    analyses: new TypeOrmAnalysisStore(em),
    jobs: new TypeOrmAnalysisJobStore(em),
    reads: new SqlStoryReadModel(em),
  };
}
