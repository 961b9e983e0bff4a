import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';

/**
 * One database transaction around a piece of work: repositories write through the `tx` they are
 * given, and the EventStore appends the outbox rows through the same `tx`, so state and events
 * commit (or roll back) together.
 */
@Injectable()
export class UnitOfWork {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  run<T>(work: (tx: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }
}
