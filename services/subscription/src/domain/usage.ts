import type { TierLimits } from './tier.js';

/** What is counted per month (DOMAIN.md § Subscription). */
export type UsageResource = 'stories' | 'narrations' | 'videos';
export const USAGE_RESOURCES: readonly UsageResource[] = ['stories', 'narrations', 'videos'];

export function isUsageResource(value: unknown): value is UsageResource {
  return value === 'stories' || value === 'narrations' || value === 'videos';
}

/** The tier's monthly limit for a resource; null is unlimited. */
export function limitOf(limits: TierLimits, resource: UsageResource): number | null {
  switch (resource) {
    case 'stories':
      return limits.storiesPerMonth;
    case 'narrations':
      return limits.narrationsPerMonth;
    case 'videos':
      return limits.videosPerMonth;
  }
}

/** committed + reserved + amount ≤ limit (or no limit). */
export function fits(used: number, reserved: number, amount: number, limit: number | null): boolean {
  return limit === null || used + reserved + amount <= limit;
}
