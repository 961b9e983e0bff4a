import type { Clock } from '@storytelling/kernel';
import type { EventStore } from '@storytelling/platform';
import type { EntityManager } from 'typeorm';
import type { AuthorRepository } from '../../domain/index.js';
import { AUTHOR_AGGREGATE_TYPE, Author } from '../../domain/index.js';
import { AggregateRows } from './aggregate-rows.js';
import { AuthorRecord } from './entities.js';

export class SqlAuthorRepository implements AuthorRepository {
  private readonly rows: AggregateRows<AuthorRecord>;

  constructor(
    private readonly em: EntityManager,
    events: EventStore,
    private readonly clock: Clock,
  ) {
    this.rows = new AggregateRows(em, events, AuthorRecord, AUTHOR_AGGREGATE_TYPE);
  }

  async findById(id: string, options: { lock?: boolean } = {}): Promise<Author | undefined> {
    const r = await this.em.findOne(AuthorRecord, { where: { id }, ...(options.lock ? { lock: { mode: 'pessimistic_write' as const } } : {}) });
    return r ? Author.rehydrate({ ...r, active: r.isActive }, this.clock) : undefined;
  }

  async add(author: Author): Promise<void> {
    await this.rows.insert(author, this.toRecord(author));
  }

  async save(author: Author): Promise<void> {
    const { id: _id, createdAt: _createdAt, ...changes } = this.toRecord(author);
    await this.rows.update(author, changes);
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
