import type { NotificationType } from './notification-type.js';

/** Values a template may use besides the recipient's name (from the source event; no addresses). */
export type TemplateData = Record<string, string | number>;

/** A notification row: the in-app copy (title/body/link, read_at) and its source. */
export interface StoredNotification {
  id: string;
  recipientId: string;
  type: NotificationType;
  /** The event that caused it, or the key that stands for it (quota notices): with the recipient, unique. */
  sourceEventId: string;
  data: TemplateData;
  inApp: boolean;
  title: string | null;
  body: string | null;
  link: string | null;
  readAt: Date | null;
  createdAt: Date;
}

/** Where a notification of this type points, relative to PUBLIC_WEB_URL. */
export function linkPath(type: NotificationType, data: TemplateData): string {
  switch (type) {
    case 'welcome':
      return '/stories';
    case 'story_published':
      return `/stories/${encodeURIComponent(String(data.storyId ?? ''))}`;
    case 'payment_failed':
      return '/account/billing';
    case 'subscription_activated':
    case 'quota_exceeded':
      return '/account/subscription';
    case 'narration_ready':
    case 'narration_failed':
      return `/narrations/${encodeURIComponent(String(data.narrationId ?? ''))}`;
  }
}
