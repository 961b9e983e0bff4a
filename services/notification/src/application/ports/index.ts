import type { Channel, DeliveryStatus, Language, NotificationType, Preferences, Recipient } from '../../domain/index.js';
import type { Keyset } from '@storytelling/kernel';

/** Values a template may use besides the recipient's name (from the source event; no addresses). */
export type TemplateData = Record<string, string | number>;

export interface NotificationRecord {
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

export interface DeliveryRecord {
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
  create(n: NotificationRecord, deliveries: readonly DeliveryRecord[]): Promise<boolean>;
  find(id: string): Promise<NotificationRecord | null>;
  listInApp(recipientId: string, limit: number, after: Keyset | undefined, unreadOnly: boolean): Promise<NotificationRecord[]>;
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
  claimDue(now: Date, leaseUntil: Date, limit: number): Promise<DeliveryRecord[]>;
  find(id: string): Promise<DeliveryRecord | null>;
  markSent(id: string, providerMessageId: string, at: Date): Promise<void>;
  markRetry(id: string, error: string, retryAt: Date, at: Date): Promise<void>;
  markFailed(id: string, error: string, at: Date): Promise<void>;
  markSkipped(id: string, reason: string, at: Date): Promise<void>;
  list(filter: { recipientId?: string; sourceEventId?: string }, limit: number, after: Keyset | undefined): Promise<DeliveryRecord[]>;
}

/** Appends NotificationSent / NotificationFailed to the outbox (same transaction). */
export interface NotificationEvents {
  sent(d: DeliveryRecord, providerMessageId: string, attempts: number, at: Date): Promise<void>;
  failed(d: DeliveryRecord, error: string, attempts: number, at: Date): Promise<void>;
}

export interface NotificationRepositories {
  recipients: RecipientRepository;
  notifications: NotificationRepository;
  deliveries: DeliveryRepository;
  events: NotificationEvents;
}

export interface NotificationUnitOfWork {
  run<T>(work: (repos: NotificationRepositories) => Promise<T>): Promise<T>;
  readonly reader: NotificationRepositories;
}

export const NOTIFICATION_UNIT_OF_WORK = Symbol('notification.UnitOfWork');

/** A message rendered for one recipient. */
export interface RenderedMessage {
  subject: string;
  text: string;
  html: string;
  sms: string;
  title: string;
  body: string;
  /** Absolute URL (PUBLIC_WEB_URL + path). */
  link: string;
}

export interface TemplateRenderer {
  render(type: NotificationType, language: Language, data: TemplateData & { displayName: string; linkPath: string }): RenderedMessage;
}
export const TEMPLATE_RENDERER = Symbol('notification.TemplateRenderer');

export interface EmailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** Stable per delivery, so a resend after a crash can be collapsed by clients. */
  messageId: string;
}
export interface EmailSender {
  send(message: EmailMessage): Promise<{ providerMessageId: string }>;
}
export const EMAIL_SENDER = Symbol('notification.EmailSender');

export interface SmsMessage {
  to: string;
  body: string;
  /** The delivery id (file sink name; providers that support it dedupe on it). */
  reference: string;
}
export interface SmsSender {
  send(message: SmsMessage): Promise<{ providerMessageId: string }>;
}
export const SMS_SENDER = Symbol('notification.SmsSender');

/** One page of an author's followers (story's ListFollowers). */
export interface FollowerDirectory {
  followers(authorId: string, cursor: string | undefined, limit: number): Promise<{ userIds: string[]; nextCursor?: string }>;
}
export const FOLLOWER_DIRECTORY = Symbol('notification.FollowerDirectory');

export interface SenderSettings {
  batchSize: number;
  leaseMs: number;
  pollMs: number;
  maxAttempts: number;
  retryBaseMs: number;
  retryMaxMs: number;
  followersPageSize: number;
}
export const SENDER_SETTINGS = Symbol('notification.SenderSettings');

export const CLOCK = Symbol('notification.Clock');
