import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * OpenID Connect sign-in attempts between `start` and `callback`: the state is kept server-side
 * (only its SHA-256; the browser holds the state itself), single-use (the callback deletes the row
 * it reads) and expiring. The PKCE verifier and the nonce stay here and never reach the browser.
 */
export class IdentityOidcLoginAttempts1761000000002 implements MigrationInterface {
  name = 'IdentityOidcLoginAttempts1761000000002';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE oidc_login_attempts (
        state_hash text NOT NULL,
        provider text NOT NULL,
        nonce text NOT NULL,
        code_verifier text NOT NULL,
        redirect_uri text NOT NULL,
        created_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        CONSTRAINT oidc_login_attempts_pkey PRIMARY KEY (state_hash)
      )`);
    await q.query(`CREATE INDEX oidc_login_attempts_expires_idx ON oidc_login_attempts (expires_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS oidc_login_attempts`);
  }
}
