import type { AggregateRoot } from '@storytelling/kernel';
import { VersionConflictError } from '@storytelling/kernel';
import type { EventStore } from '@storytelling/platform';
import type { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';

/**
 * An aggregate's row and its outbox events, written together through one EntityManager: the
 * insert of a new aggregate, or the update of the row at the version the aggregate was loaded
 * at (anything else is a VersionConflictError), then its pending events appended.
 */
export class AggregateRows<R extends ObjectLiteral> {
  constructor(
    private readonly em: EntityManager,
    private readonly events: EventStore,
    private readonly entity: EntityTarget<R>,
    private readonly aggregateType: string,
  ) {}

  async insert(aggregate: AggregateRoot, row: R): Promise<void> {
    await this.em.insert(this.entity, row as never);
    await this.events.append(this.em, aggregate, this.aggregateType);
  }

  /** `changes`: the columns that may change (never id, created_at or other immutable ones). */
  async update(aggregate: AggregateRoot, changes: Partial<R>): Promise<void> {
    const result = await this.em
      .createQueryBuilder()
      .update(this.entity)
      .set(changes as never)
      .where('id = :id AND version = :expected', { id: aggregate.id, expected: aggregate.loadedVersion })
      .execute();
    if (result.affected !== 1) throw new VersionConflictError(aggregate.id, aggregate.loadedVersion);
    await this.events.append(this.em, aggregate, this.aggregateType);
  }
}
