import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Idempotency keys (API.md: the same key and body within 24 h returns the first result). One row
 * per (principal, scope, key), written in the transaction of the effect it guards, so the effect
 * and its remembered answer commit together. See docs/adr/0015-idempotency-keys.md.
 */
export class PlatformIdempotencyKeys1000000000004 implements MigrationInterface {
  name = 'PlatformIdempotencyKeys1000000000004';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE idempotency_keys (
        principal   text        NOT NULL,
        scope       text        NOT NULL,
        key         text        NOT NULL,
        fingerprint text        NOT NULL,
        response    jsonb       NULL,
        created_at  timestamptz NOT NULL DEFAULT now(),
        expires_at  timestamptz NOT NULL,
        CONSTRAINT idempotency_keys_pkey PRIMARY KEY (principal, scope, key),
        CONSTRAINT idempotency_keys_fingerprint_check CHECK (fingerprint ~ '^[0-9a-f]{64}$')
      )`);
    // The retention sweep deletes by expiry.
    await q.query(`CREATE INDEX idempotency_keys_expires_at_idx ON idempotency_keys (expires_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS idempotency_keys`);
  }
}
