import { callerConfigSchema, int, loadConfig, serviceConfigSchema, str, type ConfigOf } from '@storytelling/platform';
import type { DunningPolicy } from './domain/index.js';

/**
 * subscription's environment: the platform's service variables plus where identity is (JWKS,
 * to verify callers), the saga deadlines, the reservation lifetime and the scheduler cadence.
 */
export const subscriptionConfigSchema = {
  ...serviceConfigSchema,
  DATABASE_SCHEMA: str({ pattern: /^[a-z_][a-z0-9_]{0,62}$/ }).default('subscription'),
  ...callerConfigSchema,
  SUBSCRIPTION_CHARGE_TIMEOUT_MS: int({ min: 1000, max: 7 * 86_400_000 }).default(900_000).describe('how long the saga waits for a charge before it gives up (and refunds a late success)'),
  SUBSCRIPTION_REFUND_TIMEOUT_MS: int({ min: 1000, max: 30 * 86_400_000 }).default(86_400_000).describe('how long the saga waits for a refund before it is marked failed'),
  SUBSCRIPTION_RESERVATION_TTL_SECONDS: int({ min: 1, max: 7 * 86_400 }).default(900).describe('lifetime of a usage reservation when ReserveUsage names none'),
  SUBSCRIPTION_GRACE_PERIOD_DAYS: int({ min: 0, max: 28 }).default(7).describe('days a refused renewal keeps the paid tier while retries run (0: back to free at once)'),
  SUBSCRIPTION_RETRY_DAYS: str({ pattern: /^$|^\d{1,2}(,\d{1,2})*$/ }).default('1,3,5').describe('days after the period end at which a refused renewal is charged again, comma-separated ascending (those inside the grace period run)'),
  SUBSCRIPTION_SCHEDULER_INTERVAL_MS: int({ min: 0, max: 3_600_000 }).default(10_000).describe('cadence of renewals, reservation expiry and saga deadlines (0: off)'),
};

export type SubscriptionConfig = ConfigOf<typeof subscriptionConfigSchema>;

export function loadSubscriptionConfig(env: NodeJS.ProcessEnv = process.env): SubscriptionConfig {
  return loadConfig(subscriptionConfigSchema, { env, service: 'subscription' });
}

/** The grace period and retry days from the environment (ADR 0018); retry days must ascend. */
export function dunningPolicyOf(config: Pick<SubscriptionConfig, 'SUBSCRIPTION_GRACE_PERIOD_DAYS' | 'SUBSCRIPTION_RETRY_DAYS'>): DunningPolicy {
  const retryDays = config.SUBSCRIPTION_RETRY_DAYS === '' ? [] : config.SUBSCRIPTION_RETRY_DAYS.split(',').map(Number);
  if (retryDays.some((d, i) => d < 1 || (i > 0 && d <= retryDays[i - 1]!))) throw new Error('SUBSCRIPTION_RETRY_DAYS: days must be ≥ 1 and ascending');
  return { graceDays: config.SUBSCRIPTION_GRACE_PERIOD_DAYS, retryDays };
}
