import { DEFAULT_DUNNING_POLICY, dunningDueAt, graceEnd, nextRetry } from '../../../src/domain/index.js';
import { dunningPolicyOf } from '../../../src/config.js';

const DAY = 86_400_000;
const start = new Date('2026-03-31T12:00:00.000Z');
const after = (days: number) => new Date(start.getTime() + days * DAY);

describe('dunning schedule (ADR 0018)', () => {
  it('anchors the grace end and the retries at the unpaid period start', () => {
    expect(graceEnd(DEFAULT_DUNNING_POLICY, start)).toEqual(after(7));
    expect([1, 2, 3, 4].map((failed) => nextRetry(DEFAULT_DUNNING_POLICY, start, failed))).toEqual([after(1), after(3), after(5), null]);
  });

  it('drops retries that would fall on or after the grace end', () => {
    const policy = { graceDays: 3, retryDays: [1, 3, 5] };
    expect([1, 2].map((failed) => nextRetry(policy, start, failed))).toEqual([after(1), null]);
    expect(nextRetry({ graceDays: 0, retryDays: [1] }, start, 1)).toBeNull();
  });

  it('is due at the next retry, else at the grace end', () => {
    const base = { periodStart: start, tier: 'gold', billingCycle: 'monthly' as const, failedAttempts: 1, graceEndsAt: after(7) };
    expect(dunningDueAt({ ...base, nextRetryAt: after(1) })).toEqual(after(1));
    expect(dunningDueAt({ ...base, nextRetryAt: null })).toEqual(after(7));
  });

  it('reads SUBSCRIPTION_GRACE_PERIOD_DAYS and SUBSCRIPTION_RETRY_DAYS; retry days must ascend', () => {
    expect(dunningPolicyOf({ SUBSCRIPTION_GRACE_PERIOD_DAYS: 10, SUBSCRIPTION_RETRY_DAYS: '2,4,8' })).toEqual({ graceDays: 10, retryDays: [2, 4, 8] });
    expect(dunningPolicyOf({ SUBSCRIPTION_GRACE_PERIOD_DAYS: 0, SUBSCRIPTION_RETRY_DAYS: '' })).toEqual({ graceDays: 0, retryDays: [] });
    expect(() => dunningPolicyOf({ SUBSCRIPTION_GRACE_PERIOD_DAYS: 7, SUBSCRIPTION_RETRY_DAYS: '3,1' })).toThrow(/ascending/);
  });
});
