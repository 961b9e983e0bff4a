import type { Channel, NotificationType } from './notification-type.js';

/** Delivery statuses (proto Delivery.status). `scheduled`: waiting for quiet hours to end. */
export type DeliveryStatus = 'pending' | 'scheduled' | 'sent' | 'failed' | 'skipped';

/** One channel's delivery of a notification (the delivery log and the sender's work queue). */
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

export interface RetryPolicy {
  maxAttempts: number;
  baseMs: number;
  maxMs: number;
}

/** Delay before the attempt after `attempts` failed ones: base · 2^(attempts−1), capped. */
export function backoffMs(policy: RetryPolicy, attempts: number): number {
  return Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, attempts - 1));
}

/** After `attempts` failed sends: try again (when) or give up. */
export function afterFailure(policy: RetryPolicy, attempts: number, now: Date): { retryAt: Date } | { giveUp: true } {
  if (attempts >= policy.maxAttempts) return { giveUp: true };
  return { retryAt: new Date(now.getTime() + backoffMs(policy, attempts)) };
}
