import { uuidv7 } from '@storytelling/kernel';
import type { EventStore } from '@storytelling/platform';
import type { EntityManager } from 'typeorm';
import type { Keyset } from '@storytelling/kernel';
import type {
  DeliveryRecord,
  DeliveryRepository,
  NotificationEvents,
  NotificationRecord,
  NotificationRepositories,
  NotificationRepository,
  RecipientRepository,
  TemplateData,
} from '../../application/ports/index.js';
import type { Channel, DeliveryStatus, NotificationType, Preferences, Recipient } from '../../domain/index.js';

const SENT = 'storytelling.notification.notification.sent.v1';
const FAILED = 'storytelling.notification.notification.failed.v1';

interface RecipientRow {
  id: string;
  email: string | null;
  display_name: string | null;
  language: string;
  active: boolean;
  identity_version: number;
  preferences: Preferences;
}

interface NotificationRow {
  id: string;
  recipient_id: string;
  type: NotificationType;
  source_event_id: string;
  data: TemplateData;
  in_app: boolean;
  title: string | null;
  body: string | null;
  link: string | null;
  read_at: Date | null;
  created_at: Date;
}

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

const toRecipient = (r: RecipientRow): Recipient => ({
  id: r.id,
  email: r.email,
  displayName: r.display_name,
  language: r.language,
  active: r.active,
  identityVersion: r.identity_version,
  preferences: { ...r.preferences, quietHours: r.preferences.quietHours ?? null, phone: r.preferences.phone ?? null },
});

const toNotification = (r: NotificationRow): NotificationRecord => ({
  id: r.id,
  recipientId: r.recipient_id,
  type: r.type,
  sourceEventId: r.source_event_id,
  data: r.data,
  inApp: r.in_app,
  title: r.title,
  body: r.body,
  link: r.link,
  readAt: r.read_at,
  createdAt: r.created_at,
});

const toDelivery = (r: DeliveryRow): DeliveryRecord => ({
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

/** TypeORM's query() answers UPDATE … RETURNING as [rows, count]; plain SELECTs as rows. */
function returned<T>(result: unknown): T[] {
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') return result[0] as T[];
  return result as T[];
}

class SqlRecipients implements RecipientRepository {
  constructor(private readonly tx: EntityManager) {}

  async find(id: string, options: { lock?: boolean } = {}): Promise<Recipient | null> {
    const rows: RecipientRow[] = await this.tx.query(`SELECT * FROM recipients WHERE id = $1${options.lock ? ' FOR UPDATE' : ''}`, [id]);
    return rows[0] ? toRecipient(rows[0]) : null;
  }

  async insert(r: Recipient, at: Date): Promise<void> {
    await this.tx.query(
      `INSERT INTO recipients (id, email, display_name, language, active, identity_version, preferences, version, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8, $8)`,
      [r.id, r.email, r.displayName, r.language, r.active, r.identityVersion, JSON.stringify(r.preferences), at],
    );
  }

  async update(r: Recipient, at: Date): Promise<void> {
    await this.tx.query(
      `UPDATE recipients SET email = $2, display_name = $3, language = $4, active = $5, identity_version = $6, preferences = $7,
              version = version + 1, updated_at = $8 WHERE id = $1`,
      [r.id, r.email, r.displayName, r.language, r.active, r.identityVersion, JSON.stringify(r.preferences), at],
    );
  }

  async updatePreferences(id: string, p: Preferences, at: Date): Promise<void> {
    await this.tx.query(`UPDATE recipients SET preferences = $2, version = version + 1, updated_at = $3 WHERE id = $1`, [id, JSON.stringify(p), at]);
  }
}

class SqlNotifications implements NotificationRepository {
  constructor(private readonly tx: EntityManager) {}

  async create(n: NotificationRecord, deliveries: readonly DeliveryRecord[]): Promise<boolean> {
    const inserted = returned<{ id: string }>(
      await this.tx.query(
        `INSERT INTO notifications (id, recipient_id, type, source_event_id, data, in_app, title, body, link, read_at, version, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, NULL, 0, $10, $10)
         ON CONFLICT (source_event_id, recipient_id) DO NOTHING RETURNING id`,
        [n.id, n.recipientId, n.type, n.sourceEventId, JSON.stringify(n.data), n.inApp, n.title, n.body, n.link, n.createdAt],
      ),
    );
    if (inserted.length === 0) return false;
    for (const d of deliveries) {
      await this.tx.query(
        `INSERT INTO deliveries (id, notification_id, recipient_id, type, channel, source_event_id, status, attempts, next_attempt_at, sent_at, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11)`,
        [d.id, d.notificationId, d.recipientId, d.type, d.channel, d.sourceEventId, d.status, d.attempts, d.nextAttemptAt, d.sentAt, d.createdAt],
      );
    }
    return true;
  }

  async find(id: string): Promise<NotificationRecord | null> {
    const rows: NotificationRow[] = await this.tx.query(`SELECT * FROM notifications WHERE id = $1`, [id]);
    return rows[0] ? toNotification(rows[0]) : null;
  }

  async listInApp(recipientId: string, limit: number, after: Keyset | undefined, unreadOnly: boolean): Promise<NotificationRecord[]> {
    const rows: NotificationRow[] = await this.tx.query(
      `SELECT * FROM notifications
        WHERE recipient_id = $1 AND in_app AND ($2::boolean = false OR read_at IS NULL)
          AND ($3::timestamptz IS NULL OR (created_at, id) < ($3::timestamptz, $4::uuid))
        ORDER BY created_at DESC, id DESC LIMIT $5`,
      [recipientId, unreadOnly, after?.at ?? null, after?.id ?? null, limit],
    );
    return rows.map(toNotification);
  }

  async markRead(id: string, recipientId: string, at: Date): Promise<boolean> {
    const rows = returned<{ id: string }>(
      await this.tx.query(
        `UPDATE notifications SET read_at = coalesce(read_at, $3), updated_at = $3 WHERE id = $1 AND recipient_id = $2 AND in_app RETURNING id`,
        [id, recipientId, at],
      ),
    );
    return rows.length > 0;
  }

  async forgetRecipient(recipientId: string, at: Date): Promise<void> {
    await this.tx.query(
      `UPDATE deliveries SET status = 'skipped', last_error = 'recipient deactivated', next_attempt_at = NULL, updated_at = $2
        WHERE recipient_id = $1 AND status IN ('pending', 'scheduled')`,
      [recipientId, at],
    );
    // The in-app texts may quote the person's name; the rows stay for the delivery log.
    await this.tx.query(`UPDATE notifications SET title = NULL, body = NULL, data = '{}'::jsonb, updated_at = $2 WHERE recipient_id = $1`, [recipientId, at]);
  }

  async nextEventVersion(notificationId: string): Promise<number> {
    const rows = returned<{ version: number }>(
      await this.tx.query(`UPDATE notifications SET version = version + 1 WHERE id = $1 RETURNING version`, [notificationId]),
    );
    if (!rows[0]) throw new Error(`notification ${notificationId} does not exist`);
    return rows[0].version;
  }
}

class SqlDeliveries implements DeliveryRepository {
  constructor(private readonly tx: EntityManager) {}

  async claimDue(now: Date, leaseUntil: Date, limit: number): Promise<DeliveryRecord[]> {
    const rows = returned<DeliveryRow>(
      await this.tx.query(
        `UPDATE deliveries d SET attempts = d.attempts + 1, next_attempt_at = $2, updated_at = $1
          WHERE d.id IN (SELECT id FROM deliveries
                          WHERE status IN ('pending', 'scheduled') AND next_attempt_at <= $1
                          ORDER BY next_attempt_at LIMIT $3 FOR UPDATE SKIP LOCKED)
          RETURNING d.*`,
        [now, leaseUntil, limit],
      ),
    );
    return rows.map(toDelivery);
  }

  async find(id: string): Promise<DeliveryRecord | null> {
    const rows: DeliveryRow[] = await this.tx.query(`SELECT * FROM deliveries WHERE id = $1`, [id]);
    return rows[0] ? toDelivery(rows[0]) : null;
  }

  async markSent(id: string, providerMessageId: string, at: Date): Promise<void> {
    await this.tx.query(
      `UPDATE deliveries SET status = 'sent', provider_message_id = $2, sent_at = $3, next_attempt_at = NULL, last_error = NULL, updated_at = $3 WHERE id = $1`,
      [id, providerMessageId, at],
    );
  }

  async markRetry(id: string, error: string, retryAt: Date, at: Date): Promise<void> {
    await this.tx.query(`UPDATE deliveries SET status = 'pending', last_error = $2, next_attempt_at = $3, updated_at = $4 WHERE id = $1`, [id, error, retryAt, at]);
  }

  async markFailed(id: string, error: string, at: Date): Promise<void> {
    await this.tx.query(`UPDATE deliveries SET status = 'failed', last_error = $2, next_attempt_at = NULL, updated_at = $3 WHERE id = $1`, [id, error, at]);
  }

  async markSkipped(id: string, reason: string, at: Date): Promise<void> {
    await this.tx.query(`UPDATE deliveries SET status = 'skipped', last_error = $2, next_attempt_at = NULL, updated_at = $3 WHERE id = $1`, [id, reason, at]);
  }

  async list(filter: { recipientId?: string; sourceEventId?: string }, limit: number, after: Keyset | undefined): Promise<DeliveryRecord[]> {
    const rows: DeliveryRow[] = await this.tx.query(
      `SELECT * FROM deliveries
        WHERE ($1::uuid IS NULL OR recipient_id = $1) AND ($2::uuid IS NULL OR source_event_id = $2)
          AND ($3::timestamptz IS NULL OR (created_at, id) < ($3::timestamptz, $4::uuid))
        ORDER BY created_at DESC, id DESC LIMIT $5`,
      [filter.recipientId ?? null, filter.sourceEventId ?? null, after?.at ?? null, after?.id ?? null, limit],
    );
    return rows.map(toDelivery);
  }
}

/** NotificationSent / NotificationFailed (proto notification/v1/events.proto), keyed by notification id. */
class OutboxNotificationEvents implements NotificationEvents {
  constructor(
    private readonly tx: EntityManager,
    private readonly store: EventStore,
    private readonly notifications: SqlNotifications,
  ) {}

  async sent(d: DeliveryRecord, providerMessageId: string, attempts: number, at: Date): Promise<void> {
    await this.append(d, SENT, at, { providerMessageId, attempts, sentAt: at.toISOString() });
  }

  async failed(d: DeliveryRecord, error: string, attempts: number, at: Date): Promise<void> {
    await this.append(d, FAILED, at, { attempts, error, failedAt: at.toISOString() });
  }

  private async append(d: DeliveryRecord, type: string, at: Date, extra: Record<string, unknown>): Promise<void> {
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
    await this.store.appendRaw(this.tx, [{ id: uuidv7(), type, aggregateId: d.notificationId, aggregateVersion: version, occurredAt: at, data }], 'notification');
  }
}

export function sqlRepositories(tx: EntityManager, events: EventStore): NotificationRepositories {
  const notifications = new SqlNotifications(tx);
  return {
    recipients: new SqlRecipients(tx),
    notifications,
    deliveries: new SqlDeliveries(tx),
    events: new OutboxNotificationEvents(tx, events, notifications),
  };
}
