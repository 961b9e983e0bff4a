// Retention against real PostgreSQL: which rows of domain_events, inbox_messages, saga_instances
// (with saga_steps) and idempotency_keys go, batching, locked rows and two sweepers at once.
import { randomUUID } from 'node:crypto';
import { register } from 'prom-client';
import type { DataSource } from 'typeorm';
import {
  deleteExpired,
  deleteExpiredBatch,
  inboxRetention,
  outboxRetention,
  RetentionSweeper,
  sagaRetention,
  type RetentionSettings,
} from '../../src/retention/index.js';
import { createSandbox, type Sandbox } from './messaging-fixtures.js';

const DAY = 86_400_000;
const MINUTE = 60_000;
const now = new Date('2030-06-01T00:00:00Z');
const ago = (ms: number): Date => new Date(now.getTime() - ms);

describe('retention (real PostgreSQL)', () => {
  let sb: Sandbox;

  beforeAll(async () => {
    sb = await createSandbox('retention', { sagas: true });
  });
  afterAll(async () => {
    await sb?.close();
  });
  beforeEach(async () => {
    await sb.dataSource.query(`TRUNCATE domain_events, inbox_messages, saga_steps, saga_instances, idempotency_keys`);
  });

  /** One outbox row per label; the label is kept in `type` to find it again. */
  async function event(label: string, occurredAt: Date, publishedAt: Date | null): Promise<void> {
    await sb.dataSource.query(
      `INSERT INTO domain_events (aggregate_id, aggregate_type, version, type, topic, data, occurred_at, published_at)
       VALUES ($1, 'thing', 1, $2, 'test.thing.events', '{}'::jsonb, $3, $4)`,
      [randomUUID(), label, occurredAt, publishedAt],
    );
  }
  async function events(): Promise<string[]> {
    const rows: Array<{ type: string }> = await sb.dataSource.query(`SELECT type FROM domain_events ORDER BY type`);
    return rows.map((r) => r.type);
  }
  async function inbox(consumer: string, processedAt: Date): Promise<void> {
    await sb.dataSource.query(
      `INSERT INTO inbox_messages (consumer, event_id, topic, partition, "offset", processed_at) VALUES ($1, $2, 't', 0, 0, $3)`,
      [consumer, randomUUID(), processedAt],
    );
  }
  async function saga(type: string, status: string, updatedAt: Date): Promise<string> {
    const id = randomUUID();
    await sb.dataSource.query(
      `INSERT INTO saga_instances (id, type, status, step, state, created_at, updated_at) VALUES ($1, $2, $3, 'x', '{}'::jsonb, $4, $4)`,
      [id, type, status, updatedAt],
    );
    await sb.dataSource.query(`INSERT INTO saga_steps (saga_id, seq, name, status, at) VALUES ($1, 1, 'x', 'started', $2), ($1, 2, 'x', $3, $2)`, [
      id,
      updatedAt,
      status,
    ]);
    return id;
  }

  it('deletes published outbox rows older than the retention and keeps unpublished and recent ones', async () => {
    await event('old-published', ago(30 * DAY), ago(8 * DAY));
    await event('just-past-cutoff', ago(8 * DAY), ago(7 * DAY + MINUTE));
    await event('just-inside', ago(8 * DAY), ago(7 * DAY - MINUTE));
    await event('recent-published', ago(DAY), ago(DAY));
    await event('old-unpublished', ago(365 * DAY), null);
    await event('recent-unpublished', ago(MINUTE), null);

    expect(await deleteExpired(sb.dataSource, outboxRetention(7 * DAY), now, 1000)).toBe(2);
    expect(await events()).toEqual(['just-inside', 'old-unpublished', 'recent-published', 'recent-unpublished']);
  });

  it('loops over bounded batches until the backlog is gone', async () => {
    for (let i = 0; i < 23; i++) await event(`old-${String(i).padStart(2, '0')}`, ago(9 * DAY), ago(8 * DAY));
    await event('keep', ago(9 * DAY), null);

    expect(await deleteExpiredBatch(sb.dataSource, outboxRetention(7 * DAY), now, 10)).toBe(10);
    expect(await deleteExpired(sb.dataSource, outboxRetention(7 * DAY), now, 5)).toBe(13);
    expect(await events()).toEqual(['keep']);
  });

  it('skips a row another transaction holds instead of waiting for it', async () => {
    await event('held', ago(9 * DAY), ago(8 * DAY));
    await event('free', ago(9 * DAY), ago(8 * DAY));
    const other = await sb.openDataSource(1);
    const runner = other.createQueryRunner();
    await runner.startTransaction();
    try {
      await runner.query(`SELECT 1 FROM domain_events WHERE type = 'held' FOR UPDATE`);
      // lock_timeout: a sweep that waited for the held row would fail here instead of hanging.
      const deleted = await sb.dataSource.transaction(async (tx) => {
        await tx.query(`SET LOCAL lock_timeout = '2s'`);
        return deleteExpired(tx, outboxRetention(7 * DAY), now, 1000);
      });
      expect(deleted).toBe(1);
    } finally {
      await runner.rollbackTransaction();
      await runner.release();
    }
    expect(await events()).toEqual(['held']);
  });

  it('two sweepers at once delete every row exactly once', async () => {
    await sb.dataSource.query(
      `INSERT INTO domain_events (aggregate_id, aggregate_type, version, type, topic, data, occurred_at, published_at)
       SELECT gen_random_uuid(), 'thing', 1, 'bulk', 'test.thing.events', '{}'::jsonb, $1, $1 FROM generate_series(1, 2000)`,
      [ago(8 * DAY)],
    );
    const second: DataSource = await sb.openDataSource(2);
    const rule = outboxRetention(7 * DAY);
    const [a, b] = await Promise.all([deleteExpired(sb.dataSource, rule, now, 50), deleteExpired(second, rule, now, 50)]);
    expect(a + b).toBe(2000);
    expect(await events()).toEqual([]);
  });

  it('deletes inbox rows older than the retention only', async () => {
    await inbox('old', ago(15 * DAY));
    await inbox('inside', ago(14 * DAY - MINUTE));
    await inbox('recent', ago(MINUTE));

    expect(await deleteExpired(sb.dataSource, inboxRetention(14 * DAY), now, 1000)).toBe(1);
    const rows: Array<{ consumer: string }> = await sb.dataSource.query(`SELECT consumer FROM inbox_messages ORDER BY consumer`);
    expect(rows.map((r) => r.consumer)).toEqual(['inside', 'recent']);
  });

  it('deletes finished sagas older than the retention with their steps, never live ones', async () => {
    for (const status of ['completed', 'failed', 'compensated', 'running', 'compensating']) await saga(`old-${status}`, status, ago(31 * DAY));
    await saga('recent-completed', 'completed', ago(29 * DAY));

    expect(await deleteExpired(sb.dataSource, sagaRetention(30 * DAY), now, 1000)).toBe(3);
    const rows: Array<{ type: string }> = await sb.dataSource.query(`SELECT type FROM saga_instances ORDER BY type`);
    expect(rows.map((r) => r.type)).toEqual(['old-compensating', 'old-running', 'recent-completed']);
    expect(await sb.count(`SELECT count(*) AS n FROM saga_steps`)).toBe(6);
    expect(await sb.count(`SELECT count(*) AS n FROM saga_steps WHERE saga_id NOT IN (SELECT id FROM saga_instances)`)).toBe(0);
  });

  it('the sweeper covers every table, sagas only when asked, and counts what it deleted', async () => {
    await event('old-published', ago(9 * DAY), ago(8 * DAY));
    await event('old-unpublished', ago(9 * DAY), null);
    await inbox('old', ago(15 * DAY));
    await saga('old-completed', 'completed', ago(31 * DAY));
    await sb.dataSource.query(
      `INSERT INTO idempotency_keys (principal, scope, key, fingerprint, created_at, expires_at) VALUES ('p', 's', 'expired', repeat('f', 64), $1, $2), ('p', 's', 'live', repeat('f', 64), $1, $3)`,
      [ago(2 * DAY), ago(DAY), new Date(now.getTime() + DAY)],
    );
    const settings: RetentionSettings = { outboxMs: 7 * DAY, inboxMs: 14 * DAY, sagaMs: 30 * DAY, intervalMs: 0, batchSize: 1000 };
    const deletedOf = async (table: string): Promise<number> =>
      (await register.getSingleMetric('retention_deleted_rows_total')?.get())?.values.find((v) => v.labels.service === 'retention-test' && v.labels.table === table)?.value ?? 0;

    await new RetentionSweeper(sb.dataSource, { service: 'retention-test', settings }).sweep(now);
    expect(await sb.count(`SELECT count(*) AS n FROM saga_instances`)).toBe(1);
    await new RetentionSweeper(sb.dataSource, { service: 'retention-test', settings, sagas: true }).sweep(now);

    expect(await events()).toEqual(['old-unpublished']);
    expect(await sb.count(`SELECT count(*) AS n FROM inbox_messages`)).toBe(0);
    expect(await sb.count(`SELECT count(*) AS n FROM saga_instances`)).toBe(0);
    const keys: Array<{ key: string }> = await sb.dataSource.query(`SELECT key FROM idempotency_keys`);
    expect(keys.map((k) => k.key)).toEqual(['live']);
    expect(await deletedOf('domain_events')).toBe(1);
    expect(await deletedOf('inbox_messages')).toBe(1);
    expect(await deletedOf('saga_instances')).toBe(1);
    expect(await deletedOf('idempotency_keys')).toBe(1);
  });
});
