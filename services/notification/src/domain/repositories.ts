import type { Keyset } from '@storytelling/kernel';
import type { StoredDelivery } from './delivery.js';
import type { StoredNotification } from './notification.js';
import type { Preferences } from './preferences.js';
import type { Recipient } from './recipient.js';

/** The notification context's copies of identity's users, with their preferences. */
export interface RecipientRepository {
  find(id: string, options?: { lock?: boolean }): Promise<Recipient | null>;
  insert(r: Recipient, at: Date): Promise<void>;
  update(r: Recipient, at: Date): Promise<void>;
  updatePreferences(id: string, p: Preferences, at: Date): Promise<void>;
}

export interface NotificationRepository {
  /** Inserts the notification and its deliveries; false (nothing written) when this (source event, recipient) exists. */
  create(n: StoredNotification, deliveries: readonly StoredDelivery[]): Promise<boolean>;
  find(id: string): Promise<StoredNotification | null>;
  listInApp(recipientId: string, limit: number, after: Keyset | undefined, unreadOnly: boolean): Promise<StoredNotification[]>;
  /** Sets read_at once; false when the notification is not this recipient's in-app notification. */
  markRead(id: string, recipientId: string, at: Date): Promise<boolean>;
  /** Deactivation: pending deliveries are skipped, in-app texts cleared. */
  forgetRecipient(recipientId: string, at: Date): Promise<void>;
  /** The next version of the notification's event stream (row locked until commit). */
  nextEventVersion(notificationId: string): Promise<number>;
}

export interface DeliveryRepository {
  /**
   * Claims up to `limit` due deliveries (SKIP LOCKED): attempts + 1 and next_attempt_at = `leaseUntil`
   * in one statement, so a crash mid-send leaves the row due again when the lease ends.
   */
  claimDue(now: Date, leaseUntil: Date, limit: number): Promise<StoredDelivery[]>;
  find(id: string): Promise<StoredDelivery | null>;
  markSent(id: string, providerMessageId: string, at: Date): Promise<void>;
  markRetry(id: string, error: string, retryAt: Date, at: Date): Promise<void>;
  markFailed(id: string, error: string, at: Date): Promise<void>;
  markSkipped(id: string, reason: string, at: Date): Promise<void>;
  list(filter: { recipientId?: string; sourceEventId?: string }, limit: number, after: Keyset | undefined): Promise<StoredDelivery[]>;
}

/** Appends NotificationSent / NotificationFailed (NotificationEventTypes) to the outbox, in the same transaction. */
export interface NotificationEvents {
  sent(d: StoredDelivery, providerMessageId: string, attempts: number, at: Date): Promise<void>;
  failed(d: StoredDelivery, error: string, attempts: number, at: Date): Promise<void>;
}

/** Everything one unit of work of the notification context writes through. */
export interface NotificationRepositories {
  recipients: RecipientRepository;
  notifications: NotificationRepository;
  deliveries: DeliveryRepository;
  events: NotificationEvents;
}
