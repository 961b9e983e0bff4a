import { RepositoryUnitOfWork, type EventStore, type UnitOfWork } from '@storytelling/platform';
import type { DataSource, EntityManager } from 'typeorm';
import type { NotificationUnitOfWork } from '../../application/index.js';
import type { NotificationRepositories } from '../../domain/index.js';
import { OutboxNotificationEvents } from './outbox-notification-events.js';
import { SqlDeliveryRepository } from './sql-delivery.repository.js';
import { SqlNotificationRepository } from './sql-notification.repository.js';
import { SqlRecipientRepository } from './sql-recipient.repository.js';

/** notification's repositories over one EntityManager (a transaction, or the pool). */
export function sqlRepositories(em: EntityManager, events: EventStore): NotificationRepositories {
  const notifications = new SqlNotificationRepository(em);
  return {
    recipients: new SqlRecipientRepository(em),
    notifications,
    deliveries: new SqlDeliveryRepository(em),
    events: new OutboxNotificationEvents(em, events, notifications),
  };
}

/** notification's repositories bound to the platform's UnitOfWork (the ambient transaction, or one of their own). */
export function notificationUnitOfWork(uow: UnitOfWork, events: EventStore, dataSource: DataSource): NotificationUnitOfWork {
  return new RepositoryUnitOfWork<NotificationRepositories>(uow, dataSource, (tx) => sqlRepositories(tx, events));
}
