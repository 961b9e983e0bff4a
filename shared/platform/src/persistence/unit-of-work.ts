import { AsyncLocalStorage } from 'node:async_hooks';
import { Inject, Injectable } from '@nestjs/common';
import type { Propagation, UnitOfWorkPort } from '@storytelling/kernel';
import { DataSource, type EntityManager } from 'typeorm';
import { assertBeforeDeadline } from '../context/request-context.js';

/** `requires_new` opens a transaction of its own (its own connection) even inside another. */
export interface TransactionOptions {
  propagation?: Propagation;
}

/**
 * The ambient transaction: the EntityManager of the transaction the current async call chain
 * runs in. A use case called from a consumer (inside its inbox transaction), from a scheduler
 * pass or from a gRPC controller finds it here, so the same handler code commits with whatever
 * opened the transaction (docs/adr/0020-ambient-transaction.md).
 */
const ambient = new AsyncLocalStorage<EntityManager>();

/** The transaction of the current async context, if one is open. */
export function currentTransaction(): EntityManager | undefined {
  const tx = ambient.getStore();
  return tx && !tx.queryRunner?.isReleased ? tx : undefined;
}

/** Makes `tx` the ambient transaction while `work` runs (the consumer and pollers open theirs this way). */
export function withTransaction<T>(tx: EntityManager, work: () => Promise<T>): Promise<T> {
  return ambient.run(tx, work);
}

/**
 * One database transaction around a piece of work: repositories write through the `tx` they are
 * given, and the EventStore appends the outbox rows through the same `tx`, so state and events
 * commit (or roll back) together. Joins the ambient transaction unless told `requires_new`.
 * Within a call whose caller's deadline has passed (RequestContext.deadline), a new transaction
 * neither opens nor commits: DeadlinePassedError (gRPC DEADLINE_EXCEEDED).
 */
@Injectable()
export class UnitOfWork {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  async run<T>(work: (tx: EntityManager) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    const joined = options.propagation === 'requires_new' ? undefined : currentTransaction();
    if (joined) return work(joined);
    // A caller that has stopped waiting was told the call failed: its work is not applied (the
    // check before COMMIT leaves only the commit itself racing the deadline).
    assertBeforeDeadline();
    return this.dataSource.transaction((tx) =>
      ambient.run(tx, async () => {
        const result = await work(tx);
        assertBeforeDeadline();
        return result;
      }),
    );
  }

  /** The ambient transaction's manager, or the pool's (each statement commits on its own). */
  get manager(): EntityManager {
    return currentTransaction() ?? this.dataSource.manager;
  }
}

/**
 * A service's repositories bound to one transaction: what each application layer's unit-of-work
 * port looks like. `reader` is the same repositories in the ambient transaction if there is one
 * (so a use case reads its own writes), otherwise outside any transaction.
 */
export class RepositoryUnitOfWork<R> implements UnitOfWorkPort<R> {
  private readonly pooled: R;

  constructor(
    private readonly uow: UnitOfWork,
    dataSource: DataSource,
    private readonly bind: (manager: EntityManager) => R,
  ) {
    this.pooled = bind(dataSource.manager);
  }

  get reader(): R {
    const tx = currentTransaction();
    return tx ? this.bind(tx) : this.pooled;
  }

  run<T>(work: (repos: R) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    return this.uow.run((tx) => work(this.bind(tx)), options);
  }
}
