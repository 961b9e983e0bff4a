import type { EntityManager } from 'typeorm';
import type { ProviderEventRepository, StoredProviderEvent } from '../../domain/index.js';

/** Verified provider webhook events over one EntityManager; the primary key (provider, event id) is the dedupe. */
export class SqlProviderEventRepository implements ProviderEventRepository {
  constructor(private readonly tx: EntityManager) {}

  async record(event: StoredProviderEvent): Promise<boolean> {
    const rows: unknown[] = await this.tx.query(
      `INSERT INTO provider_events (provider, event_id, type, payment_id, payload, received_at)
       VALUES ($1, $2, $3, $4, $5::jsonb, $6) ON CONFLICT (provider, event_id) DO NOTHING RETURNING event_id`,
      [event.provider, event.eventId, event.type.slice(0, 128), event.paymentId, JSON.stringify(event.payload), event.receivedAt],
    );
    return rows.length === 1;
  }

  async setOutcome(provider: string, eventId: string, outcome: string, paymentId: string | null): Promise<void> {
    await this.tx.query(`UPDATE provider_events SET outcome = $3, payment_id = coalesce($4, payment_id) WHERE provider = $1 AND event_id = $2`, [
      provider,
      eventId,
      outcome,
      paymentId,
    ]);
  }

  async forgetPayloads(paymentIds: readonly string[]): Promise<void> {
    if (paymentIds.length === 0) return;
    await this.tx.query(`UPDATE provider_events SET payload = '{}'::jsonb WHERE payment_id = ANY($1::uuid[])`, [paymentIds]);
  }
}
