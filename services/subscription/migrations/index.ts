import { platformMigrations, sagaMigrations } from '@storytelling/platform';
import { SubscriptionSchema1762000000000 } from './1762000000000-subscription-schema.js';
import { SubscriptionSeedTiers1762000000001 } from './1762000000001-subscription-seed-tiers.js';
import { SubscriptionDunning1762000000002 } from './1762000000002-subscription-dunning.js';

/** subscription's migrations, in order: the platform's tables (outbox, inbox, idempotency keys), the saga tables, then its own. */
export const subscriptionMigrations = [...platformMigrations, ...sagaMigrations, SubscriptionSchema1762000000000, SubscriptionSeedTiers1762000000001, SubscriptionDunning1762000000002];
