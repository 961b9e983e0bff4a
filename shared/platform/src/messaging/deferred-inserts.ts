import type { EntityManager } from 'typeorm';

/** A row to insert: column name → value (node-pg converts the value as for any parameter). */
export type DeferredRow = Readonly<Record<string, unknown>>;

/**
 * Rows queued in one consumer transaction, written with one multi-row INSERT per table and column
 * set just before the transaction commits (docs/adr/0028-consumer-deferred-inserts.md).
 * The consumer handles up to 100 messages per transaction; a statement per message's effect row
 * costs about as much as the whole Kafka round trip, one statement per batch almost nothing.
 */
export class DeferredInserts {
  private readonly groups = new Map<string, { table: string; columns: string[]; rows: unknown[][] }>();

  get size(): number {
    let n = 0;
    for (const g of this.groups.values()) n += g.rows.length;
    return n;
  }

  add(table: string, row: DeferredRow): void {
    const columns = Object.keys(row);
    if (columns.length === 0) throw new Error(`deferInsert into ${table}: a row needs at least one column`);
    checkIdentifier(table);
    for (const name of columns) checkIdentifier(name);
    const key = `${table}(${columns.join(',')})`;
    let group = this.groups.get(key);
    if (!group) {
      group = { table, columns, rows: [] };
      this.groups.set(key, group);
    }
    group.rows.push(columns.map((c) => row[c]));
  }

  /** Writes every queued row through `tx` (tables in the order first used) and empties the queue. */
  async flush(tx: EntityManager): Promise<void> {
    const groups = [...this.groups.values()];
    this.groups.clear();
    for (const { table, columns, rows } of groups) {
      // PostgreSQL takes at most 65 535 parameters per statement.
      const perStatement = Math.max(1, Math.floor(65_535 / columns.length));
      for (let start = 0; start < rows.length; start += perStatement) {
        const chunk = rows.slice(start, start + perStatement);
        const params: unknown[] = [];
        const tuples = chunk.map((values) => `(${values.map((v) => `$${params.push(v)}`).join(', ')})`);
        // In INSERT … VALUES the parameters take the target columns' types, as in a one-row insert.
        await tx.query(`INSERT INTO ${quote(table)} (${columns.map(quote).join(', ')}) VALUES ${tuples.join(', ')}`, params);
      }
    }
  }
}

/** The queue of each consumer transaction that batches; keyed by the transaction's manager. */
const queues = new WeakMap<EntityManager, DeferredInserts>();

/** Makes `tx` batch the rows handlers defer into it (the consumer, for each transaction it opens). */
export function deferInsertsOf(tx: EntityManager): DeferredInserts {
  let queue = queues.get(tx);
  if (!queue) {
    queue = new DeferredInserts();
    queues.set(tx, queue);
  }
  return queue;
}

/**
 * Inserts `row` into `table` as part of `tx`: queued and written with the other rows of the same
 * consumer transaction just before it commits, or at once when `tx` is not a consumer
 * transaction. For rows nothing reads back in the same transaction (effects, projections,
 * audit rows): a queued row is not visible, and its constraint violations surface, only at the
 * flush. A failing flush rolls the transaction back; the consumer then redoes its messages in
 * smaller transactions until the one whose row fails is alone, and retries or dead-letters it.
 */
export async function deferInsert(tx: EntityManager, table: string, row: DeferredRow): Promise<void> {
  const queue = queues.get(tx);
  if (queue) {
    queue.add(table, row);
    return;
  }
  const now = new DeferredInserts();
  now.add(table, row);
  await now.flush(tx);
}

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

/** Names already checked: a handler defers the same few table and column names for every event. */
const checkedIdentifiers = new Set<string>();

/** Table and column names are code, never input; anything but a plain lower-case name is refused. */
function checkIdentifier(name: string): void {
  if (checkedIdentifiers.has(name)) return;
  if (!IDENTIFIER.test(name)) throw new Error(`deferInsert: ${JSON.stringify(name)} is not a plain lower-case SQL name`);
  // Bounded by the code's own names; a cap keeps a misuse (names built from data) from growing it.
  if (checkedIdentifiers.size < 10_000) checkedIdentifiers.add(name);
}

function quote(name: string): string {
  return `"${name}"`;
}
