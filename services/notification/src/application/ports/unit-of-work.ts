import type { Keyset } from '@storytelling/kernel';
import type { Channel, DeliveryStatus, NotificationType, Preferences, Recipient } from '../../domain/index.js';
import type { TemplateData } from './templates.js';

/** A notification row: the in-app copy (title/body/link, read_at) and the event source. */
export interface StoredNotification {
  id: string;
  recipientId: string;
  type: NotificationType;
  sourceEventId: string;
  data: TemplateData;
  inApp: boolean;
  title: string | null;
  body: string | null;
  link: string | null;
  readAt: Date | null;
  createdAt: Date;
}

/** One channel's delivery of a notification (the delivery log). */
export interface StoredDelivery {
  id: string;
  notificationId: string;
  recipientId: string;
  type: NotificationType;
  channel: Channel;
  sourceEventId: string;
  status: DeliveryStatus;
  attempts: number;
  lastError: string | null;
  providerMessageId: string | null;
  nextAttemptAt: Date | null;
  sentAt: Date | null;
  createdAt: Date;
}

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

/** Appends NotificationSent / NotificationFailed to the outbox (same transaction). */
export interface NotificationEvents {
  sent(d: StoredDelivery, providerMessageId: string, attempts: number, at: Date): Promise<void>;
  failed(d: StoredDelivery, error: string, attempts: number, at: Date): Promise<void>;
}

export interface NotificationRepositories {
  recipients: RecipientRepository;
  notifications: NotificationRepository;
  deliveries: DeliveryRepository;
  events: NotificationEvents;
}

/**
 * One database transaction. Everything `work` does through `repos`, including the outbox rows of
 * NotificationSent/Failed, commits or rolls back together. This implementation does not retry.
 */
export interface NotificationUnitOfWork {
  run<T>(work: (repos: NotificationRepositories) => Promise<T>): Promise<T>;
  /** Repositories outside any transaction (each statement commits on its own), for reads and claims. */
  readonly reader: NotificationRepositories;
}

export const NOTIFICATION_UNIT_OF_WORK = Symbol('notification.UnitOfWork');
