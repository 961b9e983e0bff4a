import type { MigrationInterface, QueryRunner } from 'typeorm';
import { PlatformIdempotencyKeys1000000000004 } from '../../idempotency/migration.js';

/**
 * Tables every service has, created by the first migrations of its list
 * (`migrations: [...platformMigrations, ...own]`). Timestamps are far in the past so that
 * TypeORM, which orders migrations by the 13-digit suffix of their name, always runs these
 * first. Names are unqualified: migrations run with search_path = the service schema.
 *
 * Never edit a migration that has shipped; add a new one. The saga tables are opt-in:
 * `sagaMigrations` (saga/saga-migrations.ts), listed after these by services that run sagas.
 */

/** The event log that is also the transactional outbox (ARCHITECTURE.md §3). */
export class PlatformOutbox1000000000001 implements MigrationInterface {
  name = 'PlatformOutbox1000000000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE domain_events (
        seq            bigint GENERATED ALWAYS AS IDENTITY,
        id             uuid        NOT NULL DEFAULT gen_random_uuid(),
        aggregate_id   uuid        NOT NULL,
        aggregate_type text        NOT NULL,
        version        integer     NOT NULL,
        type           text        NOT NULL,
        topic          text        NOT NULL,
        data           jsonb       NOT NULL,
        metadata       jsonb       NOT NULL DEFAULT '{}'::jsonb,
        occurred_at    timestamptz NOT NULL DEFAULT now(),
        published_at   timestamptz NULL,
        CONSTRAINT domain_events_pkey PRIMARY KEY (id),
        CONSTRAINT domain_events_aggregate_version_key UNIQUE (aggregate_id, version),
        CONSTRAINT domain_events_version_check CHECK (version > 0),
        CONSTRAINT domain_events_data_check CHECK (jsonb_typeof(data) = 'object')
      )`);
    // The relay reads unpublished rows in insertion order; once published a row leaves the index.
    await q.query(`CREATE INDEX domain_events_unpublished_idx ON domain_events (seq) WHERE published_at IS NULL`);
    // Wake the relay when an insert commits (NOTIFY is transactional and coalesced per
    // transaction). The channel carries the schema so services sharing a database do not
    // wake each other: "<schema>.domain_events".
    await q.query(`
      CREATE FUNCTION domain_events_notify() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify(TG_TABLE_SCHEMA || '.domain_events', '');
        RETURN NULL;
      END
      $$`);
    await q.query(`
      CREATE TRIGGER domain_events_notify AFTER INSERT ON domain_events
      FOR EACH STATEMENT EXECUTE FUNCTION domain_events_notify()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER IF EXISTS domain_events_notify ON domain_events`);
    await q.query(`DROP FUNCTION IF EXISTS domain_events_notify()`);
    await q.query(`DROP TABLE IF EXISTS domain_events`);
  }
}

/** Consumer-side dedupe: one row per (consumer group, event id), written with the effects. */
export class PlatformInbox1000000000002 implements MigrationInterface {
  name = 'PlatformInbox1000000000002';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE inbox_messages (
        consumer     text        NOT NULL,
        event_id     uuid        NOT NULL,
        topic        text        NOT NULL,
        partition    integer     NOT NULL,
        "offset"     bigint      NOT NULL,
        processed_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT inbox_messages_pkey PRIMARY KEY (consumer, event_id)
      )`);
    await q.query(`CREATE INDEX inbox_messages_processed_at_idx ON inbox_messages (processed_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS inbox_messages`);
  }
}

/** Every service's migration list starts with these, in this order. */
// (1000000000003 stays reserved for the saga tables named above.)
export const platformMigrations = [PlatformOutbox1000000000001, PlatformInbox1000000000002, PlatformIdempotencyKeys1000000000004] as const;
