import type { EntityManager } from 'typeorm';
import type { Preferences, Recipient, RecipientRepository } from '../../domain/index.js';
import { RecipientRecord } from './entities.js';

/** Exactly the recipient columns, whatever else the object carries (a row also has version and timestamps). */
function recipientColumns(r: Recipient): Recipient {
  return {
    id: r.id,
    email: r.email,
    displayName: r.displayName,
    language: r.language,
    active: r.active,
    identityVersion: r.identityVersion,
    preferences: r.preferences,
  };
}

export class SqlRecipientRepository implements RecipientRepository {
  constructor(private readonly em: EntityManager) {}

  async find(id: string, options: { lock?: boolean } = {}): Promise<Recipient | null> {
    const r = await this.em.findOne(RecipientRecord, { where: { id }, ...(options.lock ? { lock: { mode: 'pessimistic_write' as const } } : {}) });
    return r ? recipientColumns(r) : null;
  }

  async insert(r: Recipient, at: Date): Promise<void> {
    await this.em.insert(RecipientRecord, { ...recipientColumns(r), version: 1, createdAt: at, updatedAt: at });
  }

  async update(r: Recipient, at: Date): Promise<void> {
    await this.em.update(RecipientRecord, { id: r.id }, { ...recipientColumns(r), version: () => 'version + 1', updatedAt: at });
  }

  async updatePreferences(id: string, p: Preferences, at: Date): Promise<void> {
    await this.em.update(RecipientRecord, { id }, { preferences: p, version: () => 'version + 1', updatedAt: at });
  }
}
