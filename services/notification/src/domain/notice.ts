import { ValidationError } from '@storytelling/kernel';
import type { TemplateData } from './notification.js';
import type { NotificationType } from './notification-type.js';
import { quotaNoticeKey, quotaPeriodOf } from './quota-notice-key.js';

/** What billing tells a subscriber, in this context's words: one kind of notice per notification type. */
export type Notice =
  | { type: 'payment_failed'; amountMinor: string; currency: string; message: string; reason: string }
  | { type: 'subscription_activated'; tier: string; currentPeriodEnd: string }
  | {
      type: 'quota_exceeded';
      tier: string;
      resource: string;
      used: number;
      limit: number;
      /** The quota period's start ('' from producers that did not send it). */
      periodStart: string;
      /** When the refusal happened (the event's time): the period of events without periodStart. */
      occurredAt: string;
    };

/** A notice as a notification: its type, the key it is stored under (with the recipient, unique) and what the templates show. */
export interface NoticeContent {
  type: NotificationType;
  sourceKey: string;
  data: TemplateData;
}

/**
 * The notification a notice becomes. A failed payment and an activation are keyed by their event;
 * a quota notice by (user, resource, quota period), so one notice per period however often the
 * author retries (ADR 0018). Only the values the templates show are kept. @throws ValidationError
 */
export function noticeContent(recipientId: string, sourceEventId: string, notice: Notice): NoticeContent {
  switch (notice.type) {
    case 'payment_failed':
      return {
        type: notice.type,
        sourceKey: sourceEventId,
        data: { amount: formatMinor(integer('amountMinor', notice.amountMinor)), currency: notice.currency.toUpperCase(), message: notice.message || notice.reason },
      };
    case 'subscription_activated':
      return { type: notice.type, sourceKey: sourceEventId, data: { tier: notice.tier, periodEnd: notice.currentPeriodEnd.slice(0, 10) } };
    case 'quota_exceeded': {
      const period = quotaPeriodOf(notice.periodStart, notice.occurredAt);
      if (!period) throw new ValidationError('periodStart is not a time', [{ field: 'periodStart', message: 'must be an RFC 3339 time' }]);
      return {
        type: notice.type,
        sourceKey: quotaNoticeKey(recipientId, notice.resource, period),
        data: { tier: notice.tier, resource: notice.resource, used: integer('used', notice.used), limit: integer('limit', notice.limit) },
      };
    }
  }
}

/** An integer (proto int32, or int64 as its JSON string; '' is 0). @throws ValidationError */
function integer(field: string, value: string | number): number {
  const n = typeof value === 'string' ? (value === '' ? 0 : /^-?\d+$/.test(value) ? Number(value) : Number.NaN) : value;
  if (!Number.isSafeInteger(n)) throw new ValidationError(`${field} is not an integer`, [{ field, message: 'must be an integer' }]);
  return n;
}

/** Minor units as a decimal amount for templates (2 decimals: the fleet's currencies). */
export function formatMinor(minor: number): string {
  return (minor / 100).toFixed(2);
}
