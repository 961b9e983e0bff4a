import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Saga tables, for services that orchestrate sagas: `migrations: [...platformMigrations,
 * ...sagaMigrations, ...own]`. Not part of platformMigrations (most services run no saga).
 * Names are unqualified (search_path = the service schema). Never edit once shipped.
 */
export class PlatformSagas1000000000010 implements MigrationInterface {
  name = 'PlatformSagas1000000000010';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE saga_instances (
        id          uuid        NOT NULL,
        type        text        NOT NULL,
        saga_key    text        NULL,
        status      text        NOT NULL,
        step        text        NOT NULL,
        state       jsonb       NOT NULL,
        deadline_at timestamptz NULL,
        version     integer     NOT NULL DEFAULT 1,
        created_at  timestamptz NOT NULL DEFAULT now(),
        updated_at  timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT saga_instances_pkey PRIMARY KEY (id),
        CONSTRAINT saga_instances_key_key UNIQUE (saga_key),
        CONSTRAINT saga_instances_status_check CHECK (status IN ('running', 'completed', 'failed', 'compensating', 'compensated')),
        CONSTRAINT saga_instances_state_check CHECK (jsonb_typeof(state) = 'object'),
        CONSTRAINT saga_instances_version_check CHECK (version >= 1)
      )`);
    // The deadline poller walks only live sagas with a deadline.
    await q.query(`
      CREATE INDEX saga_instances_deadline_idx ON saga_instances (deadline_at)
      WHERE status IN ('running', 'compensating') AND deadline_at IS NOT NULL`);
    await q.query(`
      CREATE TABLE saga_steps (
        saga_id uuid        NOT NULL REFERENCES saga_instances (id) ON DELETE CASCADE,
        seq     integer     NOT NULL,
        name    text        NOT NULL,
        status  text        NOT NULL,
        at      timestamptz NOT NULL,
        error   text        NULL,
        CONSTRAINT saga_steps_pkey PRIMARY KEY (saga_id, seq)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS saga_steps`);
    await q.query(`DROP TABLE IF EXISTS saga_instances`);
  }
}

/**
 * The trace a saga goes on in: the traceparent of the work that last started or moved it, so a
 * deadline that fires minutes later (the poller, no request around it) continues that trace.
 */
export class PlatformSagaTraceparent1000000000011 implements MigrationInterface {
  name = 'PlatformSagaTraceparent1000000000011';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE saga_instances ADD COLUMN traceparent text NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE saga_instances DROP COLUMN IF EXISTS traceparent`);
  }
}

export const sagaMigrations = [PlatformSagas1000000000010, PlatformSagaTraceparent1000000000011] as const;
