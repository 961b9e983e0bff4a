import type { Keyset } from '@storytelling/kernel';
import type { EntityManager } from 'typeorm';
import type { DeliveryStatus, NotificationRepository, StoredDelivery, StoredNotification } from '../../domain/index.js';
import { DeliveryRecord, NotificationRecord } from './entities.js';
import { keysetPage } from './keyset-page.js';

/** Deliveries the sender still has to send (the partial index deliveries_due_idx covers them). */
const WAITING: readonly DeliveryStatus[] = ['pending', 'scheduled'];

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

export class SqlNotificationRepository implements NotificationRepository {
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
