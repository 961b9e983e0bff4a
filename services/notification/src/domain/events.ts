import { eventType } from '@storytelling/kernel';

/**
 * The notification context's integration events (proto/storytelling/notification/v1/events.proto),
 * one per delivery outcome, on the notification's stream (aggregate = the notification).
 */
export const NotificationEventTypes = {
  NotificationSent: eventType('notification', 'notification', 'sent'),
  NotificationFailed: eventType('notification', 'notification', 'failed'),
} as const;

export const NOTIFICATION_AGGREGATE_TYPE = 'notification';
