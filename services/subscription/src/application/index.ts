export * from './caller.js';
export * from './commands/accounts.js';
export * from './commands/subscriptions.js';
export * from './commands/usage.js';
export * from './current-usage.js';
export * from './in-transaction.js';
export * from './ports/index.js';
export * from './queries/subscriptions.js';
export * from './queries/tiers.js';
export * from './renewals.js';
export * from './saga/paid-subscription-saga.js';
export * from './usage.js';
export * from './views.js';

import { DeactivateSubscriptionHandler, StartFreeSubscriptionHandler } from './commands/accounts.js';
import { CancelSubscriptionHandler, ChangeSubscriptionHandler } from './commands/subscriptions.js';
import { CommitUsageHandler, CountUsageHandler, ReleaseUsageHandler, ReserveUsageHandler } from './commands/usage.js';
import { CheckQuotaHandler, GetSubscriptionHandler, GetUsageHandler } from './queries/subscriptions.js';
import { ListTiersHandler } from './queries/tiers.js';

export const COMMAND_HANDLERS = [
  ChangeSubscriptionHandler,
  CancelSubscriptionHandler,
  StartFreeSubscriptionHandler,
  DeactivateSubscriptionHandler,
  ReserveUsageHandler,
  CommitUsageHandler,
  ReleaseUsageHandler,
  CountUsageHandler,
];
export const QUERY_HANDLERS = [ListTiersHandler, GetSubscriptionHandler, GetUsageHandler, CheckQuotaHandler];
