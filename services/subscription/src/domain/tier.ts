/**
 * A plan (DOMAIN.md § Subscription). Money in integer minor units; `null` limits are unlimited.
 * The catalogue itself is data (seeded by a migration), read through TierCatalog.
 */
export type TierId = 'free' | 'silver' | 'gold' | 'platinum';

export interface TierLimits {
  storiesPerMonth: number | null;
  narrationsPerMonth: number | null;
  videosPerMonth: number | null;
  videoMaxSeconds: number | null;
  collaboratorsPerStory: number | null;
}

export interface Tier {
  id: string;
  name: string;
  /** Cheapest is 0; an upgrade goes to a higher rank. */
  rank: number;
  currency: string;
  priceMonthlyMinor: number;
  priceYearlyMinor: number;
  limits: TierLimits;
  voiceCloning: boolean;
}

export type BillingCycle = 'monthly' | 'yearly';
export const BILLING_CYCLES: readonly BillingCycle[] = ['monthly', 'yearly'];

export function isBillingCycle(value: unknown): value is BillingCycle {
  return value === 'monthly' || value === 'yearly';
}

export const FREE_TIER = 'free';

export function isFree(tier: Pick<Tier, 'priceMonthlyMinor'>): boolean {
  return tier.priceMonthlyMinor === 0;
}

export function priceFor(tier: Tier, cycle: BillingCycle): number {
  return cycle === 'yearly' ? tier.priceYearlyMinor : tier.priceMonthlyMinor;
}

/** "9.99" from 999 (currencies with two decimals; the catalogue is USD). */
export function decimalPrice(minor: number): string {
  const sign = minor < 0 ? '-' : '';
  const abs = Math.abs(minor);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}
