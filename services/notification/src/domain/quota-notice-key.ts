import { noticeKey } from './notice-key.js';

/**
 * The key of "this user passed this quota in this period": one QuotaExceeded notice per (user,
 * resource, quota period), however many refusals the period sees (ADR 0018); see noticeKey.
 */
export function quotaNoticeKey(userId: string, resource: string, periodStart: string): string {
  return noticeKey(`quota_exceeded:${userId}:${resource}:${periodStart}`);
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
