export * from './caller.js';
export * from './commands/cancel-subscription.js';
export * from './commands/change-subscription.js';
export * from './commands/close-due-periods.js';
export * from './commands/commit-usage.js';
export * from './commands/count-usage.js';
export * from './commands/deactivate-subscription.js';
export * from './commands/expire-reservations.js';
export * from './commands/release-usage.js';
export * from './commands/reserve-usage.js';
export * from './commands/start-free-subscription.js';
export * from './current-usage.js';
export * from './own-subscription.js';
export * from './ports/index.js';
export * from './queries/check-quota.js';
export * from './queries/get-subscription.js';
export * from './queries/get-usage.js';
export * from './queries/list-tiers.js';
export * from './sagas/paid-subscription.saga.js';
export * from './usage.js';
export * from './views.js';

import { CancelSubscriptionHandler } from './commands/cancel-subscription.js';
import { ChangeSubscriptionHandler } from './commands/change-subscription.js';
import { CloseDuePeriodsHandler } from './commands/close-due-periods.js';
import { CommitUsageHandler } from './commands/commit-usage.js';
import { CountUsageHandler } from './commands/count-usage.js';
import { DeactivateSubscriptionHandler } from './commands/deactivate-subscription.js';
import { ExpireReservationsHandler } from './commands/expire-reservations.js';
import { ReleaseUsageHandler } from './commands/release-usage.js';
import { ReserveUsageHandler } from './commands/reserve-usage.js';
import { StartFreeSubscriptionHandler } from './commands/start-free-subscription.js';
import { CheckQuotaHandler } from './queries/check-quota.js';
import { GetSubscriptionHandler } from './queries/get-subscription.js';
import { GetUsageHandler } from './queries/get-usage.js';
import { ListTiersHandler } from './queries/list-tiers.js';

export const COMMAND_HANDLERS = [
  ChangeSubscriptionHandler,
  CancelSubscriptionHandler,
  StartFreeSubscriptionHandler,
  DeactivateSubscriptionHandler,
  ReserveUsageHandler,
  CommitUsageHandler,
  ReleaseUsageHandler,
  CountUsageHandler,
  ExpireReservationsHandler,
  CloseDuePeriodsHandler,
];
export const QUERY_HANDLERS = [ListTiersHandler, GetSubscriptionHandler, GetUsageHandler, CheckQuotaHandler];
