import { type Clock, isUuid, uuidv7 } from '@storytelling/kernel';
import type { Caller } from '@storytelling/platform';
import { Subscription } from '../domain/index.js';
import type { SubscriptionRepositories } from './ports/index.js';

/**
 * Whether the subscription of `subject` may be started on demand for this caller: only the
 * signed-in user's own (their token proves identity registered them). A service or an admin naming
 * someone else may name a user who does not exist, so for them an absent subscription stays 404.
 */
export function mayStartOwn(caller: Caller, subject: string): boolean {
  return caller.role !== 'service' && subject === caller.userId && isUuid(subject);
}

/**
 * The caller's own subscription. A user whose UserRegistered has not reached this context yet (a
 * request right after registering) gets the free subscription now, from now, as the event would
 * have made it; the event then finds it and changes nothing (addIfAbsent). docs/adr/0023.
 */
export async function ownSubscription(repos: SubscriptionRepositories, userId: string, clock: Clock, options: { lock?: boolean } = {}): Promise<Subscription> {
  const found = await repos.subscriptions.findByUser(userId, options);
  if (found) return found;
  await repos.subscriptions.addIfAbsent(Subscription.createFree(uuidv7(), userId, clock.now(), clock));
  const started = await repos.subscriptions.findByUser(userId, options);
  if (!started) throw new Error('the free subscription just added is not found');
  return started;
}
