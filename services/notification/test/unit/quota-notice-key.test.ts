import { isUuid } from '@storytelling/kernel';
import { quotaNoticeKey, quotaPeriodOf } from '../../src/domain/index.js';

describe('quota notice key (one QuotaExceeded notice per user, resource and period)', () => {
  const user = '0190f1b2-0000-7000-8000-000000000001';

  it('is a stable v5 UUID of (user, resource, period): equal inputs give equal keys, any other input another key', () => {
    const key = quotaNoticeKey(user, 'stories', '2026-11-01T00:00:00.000Z');
    expect(isUuid(key)).toBe(true);
    expect(key[14]).toBe('5');
    expect(key).toBe('05656a31-73f3-51cb-916a-e2e2dbcdd23c'); // fixed forever: a change would notify every period again
    expect(quotaNoticeKey(user, 'stories', '2026-11-01T00:00:00.000Z')).toBe(key);
    expect(new Set([key, quotaNoticeKey(user, 'narrations', '2026-11-01T00:00:00.000Z'), quotaNoticeKey(user, 'stories', '2026-12-01T00:00:00.000Z'), quotaNoticeKey('0190f1b2-0000-7000-8000-000000000002', 'stories', '2026-11-01T00:00:00.000Z')]).size).toBe(4);
  });

  it('reads the period from periodStart (any RFC 3339 spelling), else the month of the event; rejects a non-time', () => {
    expect(quotaPeriodOf('2026-11-01T00:00:00Z', '2026-11-20T10:00:00Z')).toBe('2026-11-01T00:00:00.000Z');
    expect(quotaPeriodOf('', '2026-11-20T10:00:00Z')).toBe('2026-11-month');
    expect(quotaPeriodOf('soon', '2026-11-20T10:00:00Z')).toBeUndefined();
  });
});
