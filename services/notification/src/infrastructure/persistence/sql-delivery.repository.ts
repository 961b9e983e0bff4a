import type { Keyset } from '@storytelling/kernel';
import { returnedRows } from '@storytelling/platform';
import type { EntityManager } from 'typeorm';
import type { Channel, DeliveryRepository, DeliveryStatus, NotificationType, StoredDelivery } from '../../domain/index.js';
import { DeliveryRecord } from './entities.js';
import { keysetPage } from './keyset-page.js';

const toDelivery = (r: DeliveryRecord): StoredDelivery => ({
  id: r.id,
  notificationId: r.notificationId,
  recipientId: r.recipientId,
  type: r.type,
  channel: r.channel,
  sourceEventId: r.sourceEventId,
  status: r.status,
  attempts: r.attempts,
  lastError: r.lastError,
  providerMessageId: r.providerMessageId,
  nextAttemptAt: r.nextAttemptAt,
  sentAt: r.sentAt,
  createdAt: r.createdAt,
});

/** A `deliveries` row as node-postgres returns it to the raw claim statement. */
interface DeliveryRow {
  id: string;
  notification_id: string;
  recipient_id: string;
  type: NotificationType;
  channel: Channel;
  source_event_id: string;
  status: DeliveryStatus;
  attempts: number;
  last_error: string | null;
  provider_message_id: string | null;
  next_attempt_at: Date | null;
  sent_at: Date | null;
  created_at: Date;
}

const rowToDelivery = (r: DeliveryRow): StoredDelivery => ({
  id: r.id,
  notificationId: r.notification_id,
  recipientId: r.recipient_id,
  type: r.type,
  channel: r.channel,
  sourceEventId: r.source_event_id,
  status: r.status,
  attempts: r.attempts,
  lastError: r.last_error,
  providerMessageId: r.provider_message_id,
  nextAttemptAt: r.next_attempt_at,
  sentAt: r.sent_at,
  createdAt: r.created_at,
});

export class SqlDeliveryRepository implements DeliveryRepository {
  constructor(private readonly em: EntityManager) {}

  /**
   * Raw SQL on purpose: the claim must pick due rows with FOR UPDATE SKIP LOCKED (concurrent
   * senders take disjoint batches) and lease them in the same statement, which TypeORM's query
   * builders cannot express as one UPDATE … WHERE id IN (SELECT … SKIP LOCKED) RETURNING.
   */
  async claimDue(now: Date, leaseUntil: Date, limit: number): Promise<StoredDelivery[]> {
    const rows = returnedRows<DeliveryRow>(
      await this.em.query(
        `UPDATE deliveries d SET attempts = d.attempts + 1, next_attempt_at = $2, updated_at = $1
          WHERE d.id IN (SELECT id FROM deliveries
                          WHERE status IN ('pending', 'scheduled') AND next_attempt_at <= $1
                          ORDER BY next_attempt_at LIMIT $3 FOR UPDATE SKIP LOCKED)
          RETURNING d.*`,
        [now, leaseUntil, limit],
      ),
    );
    return rows.map(rowToDelivery);
  }

  async find(id: string): Promise<StoredDelivery | null> {
    const r = await this.em.findOneBy(DeliveryRecord, { id });
    return r ? toDelivery(r) : null;
  }

  async markSent(id: string, providerMessageId: string, at: Date): Promise<void> {
    await this.em.update(DeliveryRecord, { id }, { status: 'sent', providerMessageId, sentAt: at, nextAttemptAt: null, lastError: null, updatedAt: at });
  }

  async markRetry(id: string, error: string, retryAt: Date, at: Date): Promise<void> {
    await this.em.update(DeliveryRecord, { id }, { status: 'pending', lastError: error, nextAttemptAt: retryAt, updatedAt: at });
  }

  async markFailed(id: string, error: string, at: Date): Promise<void> {
    await this.em.update(DeliveryRecord, { id }, { status: 'failed', lastError: error, nextAttemptAt: null, updatedAt: at });
  }

  async markSkipped(id: string, reason: string, at: Date): Promise<void> {
    await this.em.update(DeliveryRecord, { id }, { status: 'skipped', lastError: reason, nextAttemptAt: null, updatedAt: at });
  }

  async list(filter: { recipientId?: string; sourceEventId?: string }, limit: number, after: Keyset | undefined): Promise<StoredDelivery[]> {
    const qb = this.em.createQueryBuilder(DeliveryRecord, 'd').where('true');
    if (filter.recipientId !== undefined) qb.andWhere('d.recipientId = :recipientId', { recipientId: filter.recipientId });
    if (filter.sourceEventId !== undefined) qb.andWhere('d.sourceEventId = :sourceEventId', { sourceEventId: filter.sourceEventId });
    return (await keysetPage(qb, 'd', limit, after).getMany()).map(toDelivery);
  }
}
