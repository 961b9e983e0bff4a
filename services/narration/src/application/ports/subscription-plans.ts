/**
 * What narration asks subscription (gRPC): whether a user's tier has voiceCloning
 * (GetSubscription → tier, ListTiers → features) and whether one more narration fits in their
 * narrationsPerMonth (CheckQuota). A query answers for the user named, with the caller's token
 * when one is in the call context, else a service token.
 * @throws DomainError('unavailable', 'DEPENDENCY_UNAVAILABLE') when subscription cannot answer:
 * narration fails closed.
 */
export interface SubscriptionPlans {
  voiceCloningAllowed(userId: string): Promise<boolean>;
  narrationQuotaAllowed(userId: string): Promise<boolean>;
}

export const SUBSCRIPTION_PLANS = Symbol('narration.SubscriptionPlans');
