import type { EntityManager } from 'typeorm';
import type { RefreshTokenRepository } from '../../domain/index.js';
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
}
