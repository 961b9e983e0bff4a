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

/**
 * A service's repositories bound to one transaction: what each application layer's unit-of-work
 * port looks like. `reader` is the same repositories outside any transaction, for reads.
 */
export class RepositoryUnitOfWork<R> {
  readonly reader: R;

  constructor(
    private readonly uow: UnitOfWork,
    dataSource: DataSource,
    private readonly bind: (manager: EntityManager) => R,
  ) {
    this.reader = bind(dataSource.manager);
  }

  run<T>(work: (repos: R) => Promise<T>): Promise<T> {
    return this.uow.run((tx) => work(this.bind(tx)));
  }
}
