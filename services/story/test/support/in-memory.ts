// story's repositories in memory over the platform's InMemoryUnitOfWork: the application
// handlers run against them in unit tests (no PostgreSQL, no Kafka). They keep the rules the SQL
// repositories keep: optimistic versions on save, events appended to an outbox in the same unit
// (rolled back with it), the job queue's claim/lease/finish semantics, the list visibility rules.
import type { AggregateRoot, Clock, DomainEvent, Keyset } from '@storytelling/kernel';
import { FixedClock, VersionConflictError } from '@storytelling/kernel';
import type { IdempotencyOptions, IdempotentRequest } from '@storytelling/platform';
import { InMemoryUnitOfWork, appendToOutbox, runIdempotentInMemory, type IdempotencyKeyTable } from '@storytelling/testing';
import type { StoryUnitOfWork } from '../../src/application/index.js';
import type {
  AnalysisJob,
  AnalysisJobRepository,
  AnalysisRepository,
  AuthorRepository,
  AuthorState,
  FollowRepository,
  FollowerRow,
  FollowingRow,
  JobFailure,
  NewAnalysisJob,
  StoredAnalysis,
  StoryListFilter,
  StoryReadModel,
  StoryRepositories,
  StoryRepository,
  StoryRow,
  StoryState,
} from '../../src/domain/index.js';
import { AUTHOR_AGGREGATE_TYPE, Author, STORY_AGGREGATE_TYPE, Story, excerptOf } from '../../src/domain/index.js';

export type { OutboxEntry } from '@storytelling/testing';
import type { OutboxEntry } from '@storytelling/testing';

export interface Follow {
  authorId: string;
  followerId: string;
  followedAt: Date;
}

/** The tables. Rows are replaced, never mutated in place, so a shallow copy is a snapshot. */
export interface StoryTables {
  stories: Map<string, StoryState>;
  authors: Map<string, AuthorState>;
  follows: Follow[];
  analyses: Map<string, StoredAnalysis>;
  jobs: Map<string, AnalysisJob>;
  idempotencyKeys: IdempotencyKeyTable;
  outbox: OutboxEntry[];
}

function emptyTables(): StoryTables {
  return { stories: new Map(), authors: new Map(), follows: [], analyses: new Map(), jobs: new Map(), idempotencyKeys: new Map(), outbox: [] };
}

function cloneTables(t: StoryTables): StoryTables {
  return {
    stories: new Map(t.stories),
    authors: new Map(t.authors),
    follows: [...t.follows],
    analyses: new Map(t.analyses),
    jobs: new Map(t.jobs),
    idempotencyKeys: new Map(t.idempotencyKeys),
    outbox: [...t.outbox],
  };
}

/** An aggregate's rows and outbox in memory: insert, or update at the loaded version, then append its events. */
class AggregateRows<S extends { version: number }, A extends AggregateRoot & { toState(): S }> {
  constructor(
    private readonly t: StoryTables,
    private readonly rows: Map<string, S>,
    private readonly aggregateType: string,
  ) {}
  insert(aggregate: A) {
    if (this.rows.has(aggregate.id)) throw new Error(`duplicate ${this.aggregateType} ${aggregate.id}`);
    this.write(aggregate);
  }
  update(aggregate: A) {
    if (this.rows.get(aggregate.id)?.version !== aggregate.loadedVersion) throw new VersionConflictError(aggregate.id, aggregate.loadedVersion);
    this.write(aggregate);
  }
  private write(aggregate: A) {
    appendToOutbox(this.t.outbox, this.aggregateType, aggregate.pendingEvents);
    this.rows.set(aggregate.id, aggregate.toState());
    aggregate.markPersisted();
  }
}

class InMemoryStories implements StoryRepository {
  private readonly rows: AggregateRows<StoryState, Story>;
  constructor(
    private readonly t: StoryTables,
    private readonly clock: Clock,
  ) {
    this.rows = new AggregateRows(t, t.stories, STORY_AGGREGATE_TYPE);
  }
  async findById(id: string) {
    const s = this.t.stories.get(id);
    return s ? Story.rehydrate(s, this.clock) : undefined;
  }
  async add(story: Story) {
    this.rows.insert(story);
  }
  async save(story: Story) {
    this.rows.update(story);
  }
  async lockCreationsBy() {
    // one unit of work at a time in these tests
  }
  async countCreatedSince(authorId: string, since: Date) {
    return [...this.t.stories.values()].filter((s) => s.authorId === authorId && s.createdAt >= since).length;
  }
  async listUnarchivedByAuthor(authorId: string) {
    return [...this.t.stories.values()]
      .filter((s) => s.authorId === authorId && s.status !== 'archived')
      .sort((a, b) => a.id.localeCompare(b.id))
      .map((s) => Story.rehydrate(s, this.clock));
  }
}

class InMemoryAuthors implements AuthorRepository {
  private readonly rows: AggregateRows<AuthorState, Author>;
  constructor(
    private readonly t: StoryTables,
    private readonly clock: Clock,
  ) {
    this.rows = new AggregateRows(t, t.authors, AUTHOR_AGGREGATE_TYPE);
  }
  async findById(id: string) {
    const s = this.t.authors.get(id);
    return s ? Author.rehydrate(s, this.clock) : undefined;
  }
  async add(author: Author) {
    this.rows.insert(author);
  }
  async save(author: Author) {
    this.rows.update(author);
  }
}

class InMemoryFollows implements FollowRepository {
  constructor(private readonly t: StoryTables) {}
  async isFollowing(authorId: string, followerId: string) {
    return this.t.follows.some((f) => f.authorId === authorId && f.followerId === followerId);
  }
  async add(authorId: string, followerId: string, at: Date) {
    if (await this.isFollowing(authorId, followerId)) throw new Error('duplicate follow');
    this.t.follows.push({ authorId, followerId, followedAt: at });
  }
  async remove(authorId: string, followerId: string) {
    const i = this.t.follows.findIndex((f) => f.authorId === authorId && f.followerId === followerId);
    if (i >= 0) this.t.follows.splice(i, 1);
  }
  async followersOf(authorId: string) {
    return this.t.follows
      .filter((f) => f.authorId === authorId)
      .map((f) => f.followerId)
      .sort();
  }
  async followedBy(followerId: string) {
    return this.t.follows
      .filter((f) => f.followerId === followerId)
      .map((f) => f.authorId)
      .sort();
  }
}

class InMemoryAnalyses implements AnalysisRepository {
  constructor(private readonly t: StoryTables) {}
  async find(storyId: string) {
    return this.t.analyses.get(storyId);
  }
  async replace(analysis: StoredAnalysis) {
    this.t.analyses.set(analysis.storyId, { ...analysis, characters: [...analysis.characters], emotions: [...analysis.emotions] });
  }
}

/** The job queue with the clock standing in for the database's time. */
class InMemoryJobs implements AnalysisJobRepository {
  constructor(
    private readonly t: StoryTables,
    private readonly clock: Clock,
  ) {}
  async enqueue(job: NewAnalysisJob) {
    this.t.jobs.set(job.id, {
      id: job.id,
      storyId: job.storyId,
      contentHash: job.contentHash,
      previousStatus: job.previousStatus,
      status: 'pending',
      attempts: 0,
      runAfter: job.at,
      leaseOwner: null,
      leaseExpiresAt: null,
      lastErrorCode: null,
      lastErrorMessage: null,
      createdAt: job.at,
      updatedAt: job.at,
      completedAt: null,
    });
  }
  async cancelActive(storyId: string, at: Date) {
    const active = [...this.t.jobs.values()].filter((j) => j.storyId === storyId && (j.status === 'pending' || j.status === 'running'));
    for (const j of active) this.update(j.id, { status: 'cancelled', leaseOwner: null, leaseExpiresAt: null, completedAt: at, updatedAt: at });
    return active.length;
  }
  async claim(workerId: string, leaseMs: number) {
    const now = this.clock.now();
    const due = [...this.t.jobs.values()]
      .filter((j) => (j.status === 'pending' && j.runAfter <= now) || (j.status === 'running' && j.leaseExpiresAt !== null && j.leaseExpiresAt < now))
      .sort((a, b) => a.runAfter.getTime() - b.runAfter.getTime() || (a.id < b.id ? -1 : 1))[0];
    if (!due) return undefined;
    return this.update(due.id, {
      status: 'running',
      leaseOwner: workerId,
      leaseExpiresAt: new Date(now.getTime() + leaseMs),
      attempts: due.attempts + 1,
      updatedAt: now,
    });
  }
  async lockOwned(jobId: string, workerId: string) {
    const j = this.t.jobs.get(jobId);
    return j && j.status === 'running' && j.leaseOwner === workerId ? j : undefined;
  }
  async renew(jobId: string, workerId: string, leaseMs: number) {
    const owned = await this.lockOwned(jobId, workerId);
    if (owned) this.update(jobId, { leaseExpiresAt: new Date(this.clock.now().getTime() + leaseMs) });
    return owned !== undefined;
  }
  async markSucceeded(jobId: string, at: Date) {
    this.finish(jobId, 'succeeded', null, at);
  }
  async markCancelled(jobId: string, at: Date) {
    this.finish(jobId, 'cancelled', null, at);
  }
  async markFailed(jobId: string, failure: JobFailure, at: Date) {
    this.finish(jobId, 'failed', failure, at);
  }
  async reschedule(jobId: string, runAfter: Date, failure: JobFailure, at: Date) {
    this.update(jobId, { status: 'pending', runAfter, leaseOwner: null, leaseExpiresAt: null, lastErrorCode: failure.code, lastErrorMessage: failure.message, updatedAt: at });
  }
  async release(jobId: string, at: Date) {
    const j = this.t.jobs.get(jobId)!;
    this.update(jobId, { status: 'pending', runAfter: at, leaseOwner: null, leaseExpiresAt: null, attempts: Math.max(j.attempts - 1, 0), updatedAt: at });
  }
  async lastFailure(storyId: string) {
    return [...this.t.jobs.values()]
      .filter((j) => j.storyId === storyId && j.status === 'failed')
      .sort((a, b) => (b.completedAt?.getTime() ?? 0) - (a.completedAt?.getTime() ?? 0) || (a.id < b.id ? 1 : -1))[0];
  }
  private finish(jobId: string, status: 'succeeded' | 'failed' | 'cancelled', failure: JobFailure | null, at: Date) {
    const j = this.t.jobs.get(jobId)!;
    this.update(jobId, {
      status,
      leaseOwner: null,
      leaseExpiresAt: null,
      completedAt: at,
      updatedAt: at,
      lastErrorCode: failure?.code ?? j.lastErrorCode,
      lastErrorMessage: failure?.message ?? j.lastErrorMessage,
    });
  }
  private update(jobId: string, changes: Partial<AnalysisJob>): AnalysisJob {
    const next = { ...this.t.jobs.get(jobId)!, ...changes };
    this.t.jobs.set(jobId, next);
    return next;
  }
}

/** Newest first by (time, id), strictly after the keyset. */
function newestFirst<T>(rows: T[], key: (row: T) => Keyset, limit: number, after?: Keyset): T[] {
  const cmp = (a: Keyset, b: Keyset) => a.at.getTime() - b.at.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  return rows
    .filter((r) => !after || cmp(key(r), after) < 0)
    .sort((a, b) => cmp(key(b), key(a)))
    .slice(0, limit);
}

class InMemoryReads implements StoryReadModel {
  constructor(private readonly t: StoryTables) {}
  async listStories(filter: StoryListFilter, limit: number, after?: Keyset): Promise<StoryRow[]> {
    const me = filter.callerId;
    const visible = (s: StoryState): boolean => {
      if (filter.authorId !== undefined && filter.authorId !== me) return s.authorId === filter.authorId && s.status === 'published' && (filter.status ?? 'published') === 'published';
      if (filter.authorId === me) return s.authorId === me && (filter.status !== undefined ? s.status === filter.status : s.status !== 'archived');
      if (filter.status === 'published') return s.status === 'published';
      if (filter.status !== undefined) return s.authorId === me && s.status === filter.status;
      return s.status === 'published' || (s.authorId === me && s.status !== 'archived');
    };
    const rows = [...this.t.stories.values()].filter(visible);
    return newestFirst(rows, (s) => ({ at: s.createdAt, id: s.id }), limit, after).map((s) => ({
      id: s.id,
      authorId: s.authorId,
      title: s.title,
      excerpt: excerptOf([...s.content].slice(0, 600).join('')),
      contentLength: [...s.content].length,
      contentHash: s.contentHash,
      language: s.language,
      status: s.status,
      version: s.version,
      createdAt: s.createdAt,
      updatedAt: s.updatedAt,
    }));
  }
  async listFollowers(authorId: string, limit: number, after?: Keyset): Promise<FollowerRow[]> {
    const rows = this.t.follows.filter((f) => f.authorId === authorId);
    return newestFirst(rows, (f) => ({ at: f.followedAt, id: f.followerId }), limit, after).map((f) => ({
      userId: f.followerId,
      displayName: this.t.authors.get(f.followerId)?.displayName ?? '',
      followedAt: f.followedAt,
    }));
  }
  async listFollowing(followerId: string, limit: number, after?: Keyset): Promise<FollowingRow[]> {
    const rows = this.t.follows.filter((f) => f.followerId === followerId);
    return newestFirst(rows, (f) => ({ at: f.followedAt, id: f.authorId }), limit, after).map((f) => ({
      authorId: f.authorId,
      displayName: this.t.authors.get(f.authorId)?.displayName ?? '',
      followedAt: f.followedAt,
    }));
  }
}

/** The repositories plus the unit's Idempotency-Key table (what withIdempotency writes in the same transaction). */
export interface InMemoryStoryRepositories extends StoryRepositories {
  idempotencyKeys: StoryTables['idempotencyKeys'];
}

export function inMemoryRepositories(t: StoryTables, clock: Clock): InMemoryStoryRepositories {
  return {
    stories: new InMemoryStories(t, clock),
    authors: new InMemoryAuthors(t, clock),
    follows: new InMemoryFollows(t),
    analyses: new InMemoryAnalyses(t),
    jobs: new InMemoryJobs(t, clock),
    reads: new InMemoryReads(t),
    idempotencyKeys: t.idempotencyKeys,
  };
}

/**
 * StoryUnitOfWork in memory: the platform's InMemoryUnitOfWork (a unit works on a copy that
 * replaces the tables only if it succeeds; `required` joins, `requires_new` does not) plus the
 * Idempotency-Key guard of withIdempotency (@storytelling/testing's runIdempotentInMemory: the key
 * from the request context, as the real one).
 */
export class InMemoryStoryUnitOfWork extends InMemoryUnitOfWork<StoryTables, InMemoryStoryRepositories> implements StoryUnitOfWork {
  constructor(readonly clock: FixedClock = new FixedClock(new Date('2030-01-15T10:00:00Z'))) {
    super(emptyTables(), cloneTables, (t) => inMemoryRepositories(t, clock));
  }

  runIdempotent<T>(request: IdempotentRequest, work: (repos: StoryRepositories) => Promise<T>, options: IdempotencyOptions<T> = {}): Promise<T> {
    return runIdempotentInMemory(this, request, work, options);
  }

  /** The committed outbox, oldest first (of one aggregate when given). */
  events(aggregateId?: string): DomainEvent[] {
    return this.tables.outbox.map((o) => o.event).filter((e) => aggregateId === undefined || e.aggregateId === aggregateId);
  }
}

export { outcomeOf } from '@storytelling/testing';
