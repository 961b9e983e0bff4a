import type { Page, PageRequest } from './story.port.js';

/** Notification types (the notification service's catalogue; muting takes these). */
export const NOTIFICATION_TYPES = ['welcome', 'story_published', 'payment_failed', 'subscription_activated', 'quota_exceeded', 'narration_ready', 'narration_failed'] as const;

/** An in-app notification as GET /notifications shows it. */
export interface InAppNotificationView {
  id: string;
  type: string;
  title: string;
  body: string;
  /** Absolute URL into the web app; null when none. */
  link: string | null;
  /** null while unread. */
  readAt: string | null;
  createdAt: string;
}

export interface QuietHoursView {
  /** HH:MM, 24-hour, local to timeZone. */
  start: string;
  end: string;
  /** IANA zone. */
  timeZone: string;
}

/** GET/PUT /notification-preferences. */
export interface NotificationPreferencesView {
  email: boolean;
  sms: boolean;
  inApp: boolean;
  mutedTypes: string[];
  quietHours: QuietHoursView | null;
  /** E.164; null: no SMS. */
  phone: string | null;
}

/**
 * What the gateway needs from the notification service; every call acts for the caller (the
 * adapter forwards the verified bearer token). Another user's notification is NOT_FOUND
 * (NOTIFICATION_NOT_FOUND). The service validates preferences (field errors → 400).
 */
export interface NotificationPort {
  listNotifications(page: PageRequest, unreadOnly: boolean): Promise<Page<InAppNotificationView>>;
  markRead(notificationId: string): Promise<void>;
  getPreferences(): Promise<NotificationPreferencesView>;
  updatePreferences(preferences: NotificationPreferencesView): Promise<NotificationPreferencesView>;
  checkHealth(): Promise<void>;
  close(): void;
}

export const NOTIFICATION_PORT = Symbol('NOTIFICATION_PORT');
