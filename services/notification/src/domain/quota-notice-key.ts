import { createHash } from 'node:crypto';

/** Namespace of the name-based (v5) UUIDs below; fixed forever (changing it would re-send every notice of the period). */
const QUOTA_NOTICE_NAMESPACE = Buffer.from('6f1c2d8e4b7a4e0f9a3c5d2b1e8f7a60', 'hex');

/**
 * The key of "this user passed this quota in this period": one QuotaExceeded notice per (user,
 * resource, quota period), however many refusals the period sees (ADR 0018). It is used as the
 * notification's source key, so the existing unique (source, recipient[, channel]) constraints
 * drop the repeats in the consumer's transaction — no extra table, no race between replicas.
 * A name-based UUID (RFC 9562 v5): the same inputs always give the same key.
 */
export function quotaNoticeKey(userId: string, resource: string, periodStart: string): string {
  const hash = createHash('sha1').update(QUOTA_NOTICE_NAMESPACE).update(`quota_exceeded:${userId}:${resource}:${periodStart}`).digest();
  const b = Buffer.from(hash.subarray(0, 16));
  b[6] = (b[6]! & 0x0f) | 0x50;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const hex = b.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * The quota period of a QuotaExceeded: its `periodStart`, or (events from before it was sent) the
 * UTC month it happened in. @returns undefined when `periodStart` is not a time.
 */
export function quotaPeriodOf(periodStart: string, eventTime: string): string | undefined {
  if (!periodStart) return `${eventTime.slice(0, 7)}-month`;
  const at = new Date(periodStart);
  return Number.isNaN(at.getTime()) ? undefined : at.toISOString();
}
