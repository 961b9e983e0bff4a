import type { EntityManager } from 'typeorm';
import type { AccessTokenRevocation, AccessTokenRevocationRepository, RefreshTokenRepository } from '../../domain/index.js';
import { RefreshToken } from '../../domain/index.js';
import { RefreshTokenRecord } from './entities.js';

export class SqlRefreshTokenRepository implements RefreshTokenRepository {
  constructor(private readonly em: EntityManager) {}

  async findByHashForUpdate(tokenHash: string): Promise<RefreshToken | undefined> {
    const row = await this.em.findOne(RefreshTokenRecord, { where: { tokenHash }, lock: { mode: 'pessimistic_write' } });
    return row ? RefreshToken.rehydrate({ ...row }) : undefined;
  }

  async add(token: RefreshToken): Promise<void> {
    await this.em.insert(RefreshTokenRecord, token.toState());
  }

  async save(token: RefreshToken): Promise<void> {
    const s = token.toState();
    await this.em.update(RefreshTokenRecord, { id: s.id }, { rotatedAt: s.rotatedAt, revokedAt: s.revokedAt, expiresAt: s.expiresAt });
  }

  async revokeFamily(familyId: string, at: Date): Promise<number> {
    const result = await this.em
      .createQueryBuilder()
      .update(RefreshTokenRecord)
      .set({ revokedAt: at })
      .where('family_id = :familyId AND revoked_at IS NULL', { familyId })
      .execute();
    return result.affected ?? 0;
  }

  async revokeAllOfUser(userId: string, at: Date): Promise<number> {
    const result = await this.em
      .createQueryBuilder()
      .update(RefreshTokenRecord)
      .set({ revokedAt: at })
      .where('user_id = :userId AND revoked_at IS NULL', { userId })
      .execute();
    return result.affected ?? 0;
  }

  async lastSignInAt(userId: string): Promise<Date | undefined> {
    // A family starts at sign-in; refreshes add tokens to it, so its oldest token dates the sign-in.
    const rows = (await this.em.query(
      `SELECT max(started) AS at FROM (SELECT min(issued_at) AS started FROM refresh_tokens WHERE user_id = $1 GROUP BY family_id) f`,
      [userId],
    )) as Array<{ at: Date | null }>;
    return rows[0]?.at ?? undefined;
  }
}

/** identity's access-token denylist table (migration 1761000000003). */
export class SqlAccessTokenRevocationRepository implements AccessTokenRevocationRepository {
  constructor(private readonly em: EntityManager) {}

  async add(r: AccessTokenRevocation): Promise<void> {
    await this.em.query(
      `INSERT INTO revoked_access_tokens (token_id, expires_at, revoked_at) VALUES ($1, $2, $3)
       ON CONFLICT (token_id) DO UPDATE SET expires_at = GREATEST(revoked_access_tokens.expires_at, EXCLUDED.expires_at), revoked_at = EXCLUDED.revoked_at`,
      [r.tokenId, r.expiresAt, r.revokedAt],
    );
  }

  async listSince(after: Date, now: Date, limit: number): Promise<AccessTokenRevocation[]> {
    const rows = (await this.em.query(
      `SELECT token_id, expires_at, revoked_at FROM revoked_access_tokens
       WHERE revoked_at > $1 AND expires_at > $2 ORDER BY revoked_at LIMIT $3`,
      [after, now, limit],
    )) as Array<{ token_id: string; expires_at: Date; revoked_at: Date }>;
    return rows.map((r) => ({ tokenId: r.token_id, expiresAt: r.expires_at, revokedAt: r.revoked_at }));
  }
}
