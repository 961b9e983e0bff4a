import type { EntityManager } from 'typeorm';

/**
 * A statement node-postgres prepares once per connection (Parse) and afterwards only binds and
 * executes: PostgreSQL parses and plans it once per connection instead of once per call.
 * The name must be unique per text across the service (node-postgres refuses a second text).
 */
export interface PreparedStatement {
  readonly name: string;
  readonly text: string;
}

/** What node-postgres' Pool and PoolClient share (TypeORM types both as `any`). */
interface PgQueryable {
  query(config: { name: string; text: string; values: unknown[] }): Promise<{ rows: unknown[] }>;
}

function isPgQueryable(value: unknown): value is PgQueryable {
  return typeof value === 'object' && value !== null && typeof (value as { query?: unknown }).query === 'function';
}

/**
 * Runs a named statement on the connection under `em`: the transaction's own connection when
 * `em` is a transaction's, otherwise TypeORM's pg pool (which lends a connection per call, as
 * `em.query` does). TypeORM's query runner is bypassed: it cannot pass a statement name, and
 * its per-call runner, logging hooks and result wrapping cost more CPU than a primary-key read
 * (ADR 0033).
 */
export async function queryPrepared<R>(em: EntityManager, statement: PreparedStatement, values: unknown[]): Promise<R[]> {
  const target: unknown = em.queryRunner ? await em.queryRunner.connect() : (em.dataSource.driver as { master?: unknown }).master;
  if (!isPgQueryable(target)) throw new Error(`prepared statement ${statement.name}: the data source is not node-postgres`);
  const result = await target.query({ name: statement.name, text: statement.text, values });
  return result.rows as R[];
}
