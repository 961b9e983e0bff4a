/**
 * How a unit of work relates to a transaction already open around it:
 * `required` (default) joins it, `requires_new` commits on its own whatever happens around it.
 */
export type Propagation = 'required' | 'requires_new';

/**
 * The application layer's view of a transaction: a service's repositories bound to one unit of
 * work. `run` joins the transaction the caller already runs in (a consumer's inbox transaction, a
 * scheduler pass), so a handler is the same code whoever calls it. `reader` reads in that
 * transaction when there is one, otherwise outside any.
 */
export interface UnitOfWorkPort<R> {
  run<T>(work: (repos: R) => Promise<T>, options?: { propagation?: Propagation }): Promise<T>;
  readonly reader: R;
}
