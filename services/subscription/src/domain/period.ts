import type { BillingCycle } from './tier.js';

/**
 * Calendar arithmetic in UTC. A month after Jan 31 is the last day of February (clamped), and
 * periods chain from the anchor (not from the previous clamped end), so a subscription that
 * started on the 31st keeps returning to the 31st when the month has one.
 */
export function addMonths(anchor: Date, months: number): Date {
  const y = anchor.getUTCFullYear();
  const m = anchor.getUTCMonth() + months;
  const target = new Date(Date.UTC(y, m, 1, anchor.getUTCHours(), anchor.getUTCMinutes(), anchor.getUTCSeconds(), anchor.getUTCMilliseconds()));
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(anchor.getUTCDate(), lastDay));
  return target;
}

export function cycleMonths(cycle: BillingCycle): number {
  return cycle === 'yearly' ? 12 : 1;
}

export function periodEnd(start: Date, cycle: BillingCycle): Date {
  return addMonths(start, cycleMonths(cycle));
}

export interface Window {
  start: Date;
  end: Date;
}

/**
 * The usage window (limits are per month) that contains `at`: monthly windows anchored at the
 * billing period's start, stepping backwards for an instant before it (a late event of the
 * previous period). For a monthly subscription it is the billing period itself.
 */
export function usageWindow(anchor: Date, at: Date): Window {
  let k = 0;
  if (at.getTime() >= anchor.getTime()) {
    while (addMonths(anchor, k + 1).getTime() <= at.getTime()) k++;
  } else {
    while (addMonths(anchor, k).getTime() > at.getTime()) k--;
  }
  return { start: addMonths(anchor, k), end: addMonths(anchor, k + 1) };
}

/**
 * What an upgrade costs for the rest of the period: the price difference scaled by the unused
 * fraction of the period, rounded to the minor unit (never negative).
 */
export function proRataMinor(fromPriceMinor: number, toPriceMinor: number, period: Window, at: Date): number {
  const total = period.end.getTime() - period.start.getTime();
  const left = Math.max(0, Math.min(total, period.end.getTime() - at.getTime()));
  if (total <= 0) return 0;
  return Math.max(0, Math.round(((toPriceMinor - fromPriceMinor) * left) / total));
}
