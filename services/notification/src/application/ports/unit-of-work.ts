import type { UnitOfWorkPort } from '@storytelling/kernel';
import type { NotificationRepositories } from '../../domain/index.js';

/**
 * notification's transactions: `run` joins the transaction already open around the caller (a
 * consumer's inbox transaction) or opens one, so everything `work` does through `repos`, the
 * outbox rows of NotificationSent/Failed included, commits or rolls back together. `reader`
 * reads (and writes single statements) in that transaction if there is one, otherwise outside any.
 */
export type NotificationUnitOfWork = UnitOfWorkPort<NotificationRepositories>;

export const NOTIFICATION_UNIT_OF_WORK = Symbol('notification.UnitOfWork');
