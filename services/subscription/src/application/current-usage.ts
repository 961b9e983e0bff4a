import type { Clock } from '@storytelling/kernel';
import { TierNotFoundError, usageWindow, type Subscription, type Tier } from '../domain/index.js';
import type { SubscriptionRepositories } from './ports/index.js';
import { usageViews, type ResourceUsageView } from './views.js';

/** A tier of the catalog, or TIER_NOT_FOUND. */
export async function requireTier(repos: SubscriptionRepositories, id: string): Promise<Tier> {
  const tier = await repos.tiers.get(id);
  if (!tier) throw new TierNotFoundError();
  return tier;
}

/** The subscription's usage in the window containing now, with its tier's limits. */
export async function currentUsage(repos: SubscriptionRepositories, sub: Subscription, clock: Clock): Promise<ResourceUsageView[]> {
  const tier = await requireTier(repos, sub.state.tier);
  const window = usageWindow(sub.state.currentPeriodStart, clock.now());
  return usageViews(tier, await repos.usage.counters(sub.id, window));
}
