import { AsyncLocalStorage } from 'node:async_hooks';
import type { Propagation, UnitOfWorkPort } from '@storytelling/kernel';

/**
 * A service's UnitOfWorkPort in memory, with the semantics of the real one: `run` works on a
 * copy of the tables that replaces them only if the work succeeds (a throw rolls back), joins the
 * unit of work it is called in (`required`) or takes its own (`requires_new`), and `reader` reads
 * the current unit's copy. `bind` builds the service's in-memory repositories over tables.
 */
export class InMemoryUnitOfWork<T, R> implements UnitOfWorkPort<R> {
  private readonly current = new AsyncLocalStorage<{ tables: T }>();
  /** How many units committed (tests assert a use case ran in one). */
  commits = 0;

  constructor(
    public tables: T,
    private readonly clone: (tables: T) => T,
    private readonly bind: (tables: T) => R,
  ) {}

  get reader(): R {
    return this.bind(this.current.getStore()?.tables ?? this.tables);
  }

  async run<X>(work: (repos: R) => Promise<X>, options: { propagation?: Propagation } = {}): Promise<X> {
    const joined = options.propagation === 'requires_new' ? undefined : this.current.getStore();
    if (joined) return work(this.bind(joined.tables));
    const unit = { tables: this.clone(this.tables) };
    const result = await this.current.run(unit, () => work(this.bind(unit.tables)));
    this.tables = unit.tables;
    this.commits += 1;
    return result;
  }
}
