import type { PendingChange, Subscription, Tier, UsageResource, Window } from '../domain/index.js';
import { USAGE_RESOURCES, limitOf } from '../domain/index.js';
import type { CounterValues } from './ports/index.js';

export interface ResourceUsageView {
  resource: UsageResource;
  used: number;
  reserved: number;
  limit: number | null;
}

export interface SubscriptionView {
  id: string;
  userId: string;
  tier: string;
  status: string;
  billingCycle: string;
  currentPeriodStart: Date;
  currentPeriodEnd: Date;
  cancelAtPeriodEnd: boolean;
  usage: ResourceUsageView[];
  pendingChange: PendingChange | null;
  /** While a refused renewal is retried: when the paid tier ends unless a charge succeeds. */
  graceEndsAt: Date | null;
  version: number;
}

/** CheckQuota's answer: may `amount` more be used in the current window? */
export interface QuotaAnswer {
  allowed: boolean;
  used: number;
  reserved: number;
  limit: number | null;
  tier: string;
  window: Window;
}

/** GetUsage's answer: the counters of the current usage window. */
export interface UsageAnswer {
  subscriptionId: string;
  tier: string;
  window: Window;
  usage: ResourceUsageView[];
}

export function usageViews(tier: Tier, counters: Record<UsageResource, CounterValues>): ResourceUsageView[] {
  return USAGE_RESOURCES.map((resource) => ({ resource, used: counters[resource].used, reserved: counters[resource].reserved, limit: limitOf(tier.limits, resource) }));
}

export function toSubscriptionView(sub: Subscription, usage: ResourceUsageView[]): SubscriptionView {
  const s = sub.state;
  return {
    id: s.id,
    userId: s.userId,
    tier: s.tier,
    status: s.status,
    billingCycle: s.billingCycle,
    currentPeriodStart: s.currentPeriodStart,
    currentPeriodEnd: s.currentPeriodEnd,
    cancelAtPeriodEnd: s.cancelAtPeriodEnd,
    usage,
    pendingChange: s.pendingChange,
    graceEndsAt: s.dunning?.graceEndsAt ?? null,
    version: sub.version,
  };
}

/** A replayed idempotent answer comes back from JSON: dates are strings again. */
export function reviveDates(view: SubscriptionView): SubscriptionView {
  const date = (d: Date | string) => (d instanceof Date ? d : new Date(d));
  return {
    ...view,
    currentPeriodStart: date(view.currentPeriodStart),
    currentPeriodEnd: date(view.currentPeriodEnd),
    graceEndsAt: view.graceEndsAt ? date(view.graceEndsAt) : null,
    pendingChange: view.pendingChange ? { ...view.pendingChange, effectiveAt: view.pendingChange.effectiveAt ? date(view.pendingChange.effectiveAt) : null } : null,
  };
}
