import type { DataSource, EntityManager } from 'typeorm';

/**
 * One table's retention: rows matching `expired` (with `$1` = the cutoff) go, `batch` rows per
 * statement, picked by `key`. Tables, columns and predicates are constants of the code, never
 * input, so they are written into the SQL.
 */
export interface RetentionRule {
  /** The table, as named in metrics and logs. */
  table: string;
  /** Column the batch is picked by (unique, or the row's ctid). */
  key: string;
  /** SQL predicate of a deletable row; `$1` is the cutoff (timestamptz). */
  expired: string;
  /** How old a row must be, in ms (the cutoff is `now - maxAgeMs`); 0 for rows that carry their own expiry. */
  maxAgeMs: number;
}

/**
 * Deletes up to `batch` rows of `rule` older than the cutoff; returns how many went.
 * SKIP LOCKED: a row another transaction holds (the outbox relay, a saga step, a second
 * replica's sweep) is left for the next pass, so sweepers never wait, deadlock or delete twice.
 */
export async function deleteExpiredBatch(db: DataSource | EntityManager, rule: RetentionRule, now: Date, batch: number): Promise<number> {
  const cutoff = new Date(now.getTime() - rule.maxAgeMs);
  // TypeORM answers a DELETE on Postgres with [rows, affected].
  const raw: unknown = await db.query(
    `DELETE FROM ${rule.table} WHERE ${rule.key} IN (
       SELECT ${rule.key} FROM ${rule.table} WHERE ${rule.expired} LIMIT $2 FOR UPDATE SKIP LOCKED)`,
    [cutoff, batch],
  );
  return Array.isArray(raw) && typeof raw[1] === 'number' ? raw[1] : 0;
}

/** Deletes batch after batch until one comes back short; returns the total. */
export async function deleteExpired(db: DataSource | EntityManager, rule: RetentionRule, now: Date, batch: number): Promise<number> {
  let total = 0;
  for (let n = batch; n === batch; total += n) n = await deleteExpiredBatch(db, rule, now, batch);
  return total;
}

/** idempotency_keys carry their own expiry (IDEMPOTENCY_TTL_MS). */
export const idempotencyKeysRetention: RetentionRule = { table: 'idempotency_keys', key: 'ctid', expired: 'expires_at <= $1', maxAgeMs: 0 };

/**
 * domain_events: only rows the relay has published. Safe next to the OutboxRelay: the relay
 * reads only unpublished rows (partial index `published_at IS NULL`) and never reads a
 * published row again; a row becomes visible here only once the
 * relay's marking transaction committed. The relay's advisory lock only elects the publisher;
 * the sweep does not need it (SKIP LOCKED keeps concurrent sweeps apart). An unpublished row is
 * never deleted, whatever its age.
 */
export function outboxRetention(maxAgeMs: number): RetentionRule {
  return { table: 'domain_events', key: 'id', expired: 'published_at IS NOT NULL AND published_at < $1', maxAgeMs };
}

/** inbox_messages: the dedupe memory; must outlive every redelivery (docs/adr/0017-retention.md). */
export function inboxRetention(maxAgeMs: number): RetentionRule {
  return { table: 'inbox_messages', key: 'ctid', expired: 'processed_at < $1', maxAgeMs };
}

/** saga_instances in a terminal status (saga.ts); their saga_steps go with them (ON DELETE CASCADE). */
export function sagaRetention(maxAgeMs: number): RetentionRule {
  return { table: 'saga_instances', key: 'id', expired: `status IN ('completed', 'failed', 'compensated') AND updated_at < $1`, maxAgeMs };
}
