import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The access-token denylist (docs/adr/0030): a `jti` revoked by logout, or `user:<id>` for every
 * token of a deleted account, kept until the token would have expired anyway. The gateway reads
 * it by `revoked_at` (ListRevokedAccessTokens) into its local cache.
 */
export class IdentityRevokedAccessTokens1761000000003 implements MigrationInterface {
  name = 'IdentityRevokedAccessTokens1761000000003';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE revoked_access_tokens (
        token_id text NOT NULL,
        expires_at timestamptz NOT NULL,
        revoked_at timestamptz NOT NULL,
        CONSTRAINT revoked_access_tokens_pkey PRIMARY KEY (token_id)
      )`);
    await q.query(`CREATE INDEX revoked_access_tokens_revoked_at_idx ON revoked_access_tokens (revoked_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS revoked_access_tokens`);
  }
}
