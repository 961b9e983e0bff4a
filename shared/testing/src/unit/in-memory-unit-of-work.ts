import { AsyncLocalStorage } from 'node:async_hooks';
import type { Propagation, UnitOfWorkPort } from '@storytelling/kernel';

/**
 * A service's UnitOfWorkPort in memory, with the semantics of the real one: `run` works on a
 * copy of the tables that replaces them only if the work succeeds (a throw rolls back), joins the
 * unit of work it is called in (`required`) or takes its own (`requires_new`), and `reader` reads
 * the current unit's copy. `bind` builds the service's in-memory repositories over tables.
 * Units that join nothing run one at a time (as if SERIALIZABLE), so concurrent units never
 * overwrite each other's commits. Not modelled: a `requires_new` unit nested in another commits
 * to the tables, but the outer unit's copy does not see it and its commit replaces it.
 */
export class InMemoryUnitOfWork<T, R> implements UnitOfWorkPort<R> {
  private readonly current = new AsyncLocalStorage<{ tables: T }>();
  private queue: Promise<unknown> = Promise.resolve();
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
    const outer = this.current.getStore();
    if (outer && options.propagation !== 'requires_new') return work(this.bind(outer.tables));
    const once = async (): Promise<X> => {
      const unit = { tables: this.clone(this.tables) };
      const result = await this.current.run(unit, () => work(this.bind(unit.tables)));
      this.tables = unit.tables;
      this.commits += 1;
      return result;
    };
    // A requires_new unit inside another cannot wait for it (it would wait for itself).
    if (outer) return once();
    const turn = this.queue.then(once, once);
    this.queue = turn.catch(() => undefined);
    return turn;
  }
}
