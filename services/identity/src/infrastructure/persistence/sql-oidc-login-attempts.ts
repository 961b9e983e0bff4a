import type { DataSource } from 'typeorm';
import type { OidcLoginAttempt, OidcLoginAttempts } from '../../application/ports/index.js';

interface AttemptRow {
  provider: string;
  nonce: string;
  code_verifier: string;
  redirect_uri: string;
  expires_at: Date;
}

/** identity.oidc_login_attempts. `take` is one DELETE … RETURNING: two callbacks with one state can't both get it. */
export class SqlOidcLoginAttempts implements OidcLoginAttempts {
  constructor(private readonly dataSource: DataSource) {}

  async save(stateHash: string, attempt: OidcLoginAttempt, now: Date): Promise<void> {
    // Expired attempts are garbage; each start sweeps a few (index on expires_at).
    await this.dataSource.query(
      `DELETE FROM oidc_login_attempts WHERE state_hash IN (SELECT state_hash FROM oidc_login_attempts WHERE expires_at < $1 LIMIT 100)`,
      [now],
    );
    await this.dataSource.query(
      `INSERT INTO oidc_login_attempts (state_hash, provider, nonce, code_verifier, redirect_uri, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [stateHash, attempt.provider, attempt.nonce, attempt.codeVerifier, attempt.redirectUri, now, attempt.expiresAt],
    );
  }

  async take(stateHash: string): Promise<OidcLoginAttempt | undefined> {
    const rows: AttemptRow[] = await this.dataSource.query(
      // As a SELECT: TypeORM answers a bare DELETE … RETURNING as [rows, count].
      `WITH taken AS (DELETE FROM oidc_login_attempts WHERE state_hash = $1 RETURNING provider, nonce, code_verifier, redirect_uri, expires_at)
       SELECT * FROM taken`,
      [stateHash],
    );
    const row = rows[0];
    if (!row) return undefined;
    return { provider: row.provider, nonce: row.nonce, codeVerifier: row.code_verifier, redirectUri: row.redirect_uri, expiresAt: new Date(row.expires_at) };
  }
}
