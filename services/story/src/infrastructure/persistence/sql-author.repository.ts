import type { Clock } from '@storytelling/kernel';
import { VersionConflictError } from '@storytelling/kernel';
import type { EventStore } from '@storytelling/platform';
import type { EntityManager } from 'typeorm';
import type { AuthorRepository } from '../../domain/index.js';
import { AUTHOR_AGGREGATE_TYPE, Author } from '../../domain/index.js';
import { AuthorRecord } from './entities.js';

export class SqlAuthorRepository implements AuthorRepository {
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
