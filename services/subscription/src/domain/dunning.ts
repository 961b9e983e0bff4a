import type { BillingCycle } from './tier.js';

const DAY_MS = 86_400_000;

/** The grace period after a refused renewal (ADR 0018): how long the paid tier stays, and when retries charge. */
export interface DunningPolicy {
  graceDays: number;
  /** Days after the unpaid period's start at which retries charge, ascending (e.g. 1, 3, 5). */
  retryDays: readonly number[];
}

export const DEFAULT_DUNNING_POLICY: DunningPolicy = { graceDays: 7, retryDays: [1, 3, 5] };

/**
 * A renewal that is being retried: the unpaid period starts at `periodStart` (the old period
 * end), the tier stays in force until `graceEndsAt`. Times are anchored at the period start,
 * not at each failure, so every replica computes the same schedule and attempt keys.
 */
export interface Dunning {
  periodStart: Date;
  tier: string;
  billingCycle: BillingCycle;
  /** Charge attempts refused so far (attempt 1 is the period-end charge). */
  failedAttempts: number;
  nextRetryAt: Date | null;
  graceEndsAt: Date;
}

export function graceEnd(policy: DunningPolicy, periodStart: Date): Date {
  return new Date(periodStart.getTime() + policy.graceDays * DAY_MS);
}

/** When attempt `failedAttempts + 1` charges; null when none is left before the grace period ends. */
export function nextRetry(policy: DunningPolicy, periodStart: Date, failedAttempts: number): Date | null {
  const days = policy.retryDays[failedAttempts - 1];
  if (days === undefined) return null;
  const at = new Date(periodStart.getTime() + days * DAY_MS);
  return at.getTime() < graceEnd(policy, periodStart).getTime() ? at : null;
}

/** The next thing the scheduler has to do for a subscription in dunning: retry, or end the grace period. */
export function dunningDueAt(d: Dunning): Date {
  return d.nextRetryAt ?? d.graceEndsAt;
}
