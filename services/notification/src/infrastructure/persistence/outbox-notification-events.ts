import { uuidv7 } from '@storytelling/kernel';
import type { EventStore } from '@storytelling/platform';
import type { EntityManager } from 'typeorm';
import { NOTIFICATION_AGGREGATE_TYPE, NotificationEventTypes, type NotificationEvents, type NotificationRepository, type StoredDelivery } from '../../domain/index.js';

/**
 * NotificationSent / NotificationFailed (proto notification/v1/events.proto) into the outbox, on
 * the notification's stream: its version (notifications.version) numbers the events.
 */
export class OutboxNotificationEvents implements NotificationEvents {
  constructor(
    private readonly em: EntityManager,
    private readonly store: EventStore,
    private readonly notifications: NotificationRepository,
  ) {}

  async sent(d: StoredDelivery, providerMessageId: string, attempts: number, at: Date): Promise<void> {
    await this.append(d, NotificationEventTypes.NotificationSent, at, { providerMessageId, attempts, sentAt: at.toISOString() });
  }

  async failed(d: StoredDelivery, error: string, attempts: number, at: Date): Promise<void> {
    await this.append(d, NotificationEventTypes.NotificationFailed, at, { attempts, error, failedAt: at.toISOString() });
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
    await this.store.appendRaw(this.em, [{ id: uuidv7(), type, aggregateId: d.notificationId, aggregateVersion: version, occurredAt: at, data }], NOTIFICATION_AGGREGATE_TYPE);
  }
}
