import type { Keyset } from '@storytelling/kernel';
import { uuidv7 } from '@storytelling/kernel';
import type { EventStore } from '@storytelling/platform';
import type { EntityManager, SelectQueryBuilder } from 'typeorm';
import type {
  DeliveryRepository,
  NotificationEvents,
  NotificationRepositories,
  NotificationRepository,
  RecipientRepository,
  StoredDelivery,
  StoredNotification,
} from '../../application/ports/index.js';
import type { Channel, DeliveryStatus, NotificationType, Preferences, Recipient } from '../../domain/index.js';
import { DeliveryRecord, NotificationRecord, RecipientRecord } from './entities.js';

const SENT = 'storytelling.notification.notification.sent.v1';
const FAILED = 'storytelling.notification.notification.failed.v1';

/** Deliveries the sender still has to send (the partial index deliveries_due_idx covers them). */
const WAITING: readonly DeliveryStatus[] = ['pending', 'scheduled'];

/** A row's recipient fields (the entity adds version and timestamps). */
const toRecipient = (r: RecipientRecord): Recipient => recipientColumns(r);

const toNotification = (r: NotificationRecord): StoredNotification => ({
  id: r.id,
  recipientId: r.recipientId,
  type: r.type,
  sourceEventId: r.sourceEventId,
  data: r.data,
  inApp: r.inApp,
  title: r.title,
  body: r.body,
  link: r.link,
  readAt: r.readAt,
  createdAt: r.createdAt,
});

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

/** TypeORM's raw query answers UPDATE … RETURNING with `[rows, rowCount]` on Postgres, SELECT with rows. */
function rowsOf<T>(result: unknown): T[] {
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') return result[0] as T[];
  return result as T[];
}

/** Newest first by (created_at, id), strictly after the keyset cursor: the fleet's list order. */
function keysetPage<T extends { createdAt: Date; id: string }>(qb: SelectQueryBuilder<T>, alias: string, limit: number, after: Keyset | undefined): SelectQueryBuilder<T> {
  if (after) qb.andWhere(`(${alias}.createdAt, ${alias}.id) < (CAST(:afterAt AS timestamptz), CAST(:afterId AS uuid))`, { afterAt: after.at, afterId: after.id });
  return qb.orderBy(`${alias}.createdAt`, 'DESC').addOrderBy(`${alias}.id`, 'DESC').limit(limit);
}

export class TypeOrmRecipientRepository implements RecipientRepository {
  constructor(private readonly em: EntityManager) {}

  async find(id: string, options: { lock?: boolean } = {}): Promise<Recipient | null> {
    const r = await this.em.findOne(RecipientRecord, { where: { id }, ...(options.lock ? { lock: { mode: 'pessimistic_write' as const } } : {}) });
    return r ? toRecipient(r) : null;
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

export class TypeOrmNotificationRepository implements NotificationRepository {
  constructor(private readonly em: EntityManager) {}

  async create(n: StoredNotification, deliveries: readonly StoredDelivery[]): Promise<boolean> {
    // ON CONFLICT DO NOTHING: a redelivered (source event, recipient) writes nothing. The only
    // other unique key is the primary key, a fresh UUIDv7, so no other conflict is swallowed.
    const inserted = await this.em
      .createQueryBuilder()
      .insert()
      .into(NotificationRecord)
      .values({ ...n, readAt: null, version: 0, updatedAt: n.createdAt })
      .orIgnore()
      .returning('id')
      .updateEntity(false)
      .execute();
    if (!Array.isArray(inserted.raw) || inserted.raw.length === 0) return false;
    if (deliveries.length > 0) await this.em.insert(DeliveryRecord, deliveries.map((d) => ({ ...d, updatedAt: d.createdAt })));
    return true;
  }

  async find(id: string): Promise<StoredNotification | null> {
    const r = await this.em.findOneBy(NotificationRecord, { id });
    return r ? toNotification(r) : null;
  }

  async listInApp(recipientId: string, limit: number, after: Keyset | undefined, unreadOnly: boolean): Promise<StoredNotification[]> {
    const qb = this.em.createQueryBuilder(NotificationRecord, 'n').where('n.recipientId = :recipientId AND n.inApp', { recipientId });
    if (unreadOnly) qb.andWhere('n.readAt IS NULL');
    return (await keysetPage(qb, 'n', limit, after).getMany()).map(toNotification);
  }

  async markRead(id: string, recipientId: string, at: Date): Promise<boolean> {
    const result = await this.em
      .createQueryBuilder()
      .update(NotificationRecord)
      .set({ readAt: () => 'coalesce(read_at, :at)', updatedAt: at })
      .where('id = :id AND recipient_id = :recipientId AND in_app', { id, recipientId, at })
      .execute();
    return (result.affected ?? 0) > 0;
  }

  async forgetRecipient(recipientId: string, at: Date): Promise<void> {
    await this.em
      .createQueryBuilder()
      .update(DeliveryRecord)
      .set({ status: 'skipped', lastError: 'recipient deactivated', nextAttemptAt: null, updatedAt: at })
      .where('recipient_id = :recipientId AND status IN (:...waiting)', { recipientId, waiting: WAITING })
      .execute();
    // The in-app texts may quote the person's name; the rows stay for the delivery log.
    await this.em.update(NotificationRecord, { recipientId }, { title: null, body: null, data: {}, updatedAt: at });
  }

  async nextEventVersion(notificationId: string): Promise<number> {
    const result = await this.em
      .createQueryBuilder()
      .update(NotificationRecord)
      .set({ version: () => 'version + 1' })
      .where('id = :id', { id: notificationId })
      .returning('version')
      .updateEntity(false)
      .execute();
    const rows = result.raw as Array<{ version: number }>;
    if (!rows[0]) throw new Error(`notification ${notificationId} does not exist`);
    return rows[0].version;
  }
}

export class TypeOrmDeliveryRepository implements DeliveryRepository {
  constructor(private readonly em: EntityManager) {}

  /**
   * Raw SQL on purpose: the claim must pick due rows with FOR UPDATE SKIP LOCKED (concurrent
   * senders take disjoint batches) and lease them in the same statement, which TypeORM's query
   * builders cannot express as one UPDATE … WHERE id IN (SELECT … SKIP LOCKED) RETURNING.
   */
  async claimDue(now: Date, leaseUntil: Date, limit: number): Promise<StoredDelivery[]> {
    const rows = rowsOf<DeliveryRow>(
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

/** NotificationSent / NotificationFailed (proto notification/v1/events.proto), keyed by notification id. */
class OutboxNotificationEvents implements NotificationEvents {
  constructor(
    private readonly em: EntityManager,
    private readonly store: EventStore,
    private readonly notifications: TypeOrmNotificationRepository,
  ) {}

  async sent(d: StoredDelivery, providerMessageId: string, attempts: number, at: Date): Promise<void> {
    await this.append(d, SENT, at, { providerMessageId, attempts, sentAt: at.toISOString() });
  }

  async failed(d: StoredDelivery, error: string, attempts: number, at: Date): Promise<void> {
    await this.append(d, FAILED, at, { attempts, error, failedAt: at.toISOString() });
  }

  private async append(d: StoredDelivery, type: string, at: Date, extra: Record<string, unknown>): Promise<void> {
    const version = await this.notifications.nextEventVersion(d.notificationId);
    const data = {
      notificationId: d.notificationId,
      deliveryId: d.id,
      recipientId: d.recipientId,
      type: d.type,
      channel: d.channel,
      sourceEventId: d.sourceEventId,
      ...extra,
    };
    await this.store.appendRaw(this.em, [{ id: uuidv7(), type, aggregateId: d.notificationId, aggregateVersion: version, occurredAt: at, data }], 'notification');
  }
}

/** notification's repositories over one EntityManager (a transaction, or the pool for reads). */
export function typeOrmRepositories(em: EntityManager, events: EventStore): NotificationRepositories {
  const notifications = new TypeOrmNotificationRepository(em);
  return {
    recipients: new TypeOrmRecipientRepository(em),
    notifications,
    deliveries: new TypeOrmDeliveryRepository(em),
    events: new OutboxNotificationEvents(em, events, notifications),
  };
}
