export * from './commands/deactivate-recipient.js';
export * from './commands/mark-notification-read.js';
export * from './commands/notify-followers.js';
export * from './commands/notify-narration-owner.js';
export * from './commands/notify-subscriber.js';
export * from './commands/register-recipient.js';
export * from './commands/send-due-deliveries.js';
export * from './commands/update-preferences.js';
export * from './commands/update-recipient-profile.js';
export * from './errors.js';
export * from './notification-planner.js';
export * from './ports/index.js';
export * from './queries/get-preferences.js';
export * from './queries/list-deliveries.js';
export * from './queries/list-notifications.js';

import { DeactivateRecipientHandler } from './commands/deactivate-recipient.js';
import { MarkNotificationReadHandler } from './commands/mark-notification-read.js';
import { NotifyFollowersHandler } from './commands/notify-followers.js';
import { NotifyNarrationOwnerHandler } from './commands/notify-narration-owner.js';
import { NotifySubscriberHandler } from './commands/notify-subscriber.js';
import { RegisterRecipientHandler } from './commands/register-recipient.js';
import { SendDueDeliveriesHandler } from './commands/send-due-deliveries.js';
import { UpdatePreferencesHandler } from './commands/update-preferences.js';
import { UpdateRecipientProfileHandler } from './commands/update-recipient-profile.js';
import { GetPreferencesHandler } from './queries/get-preferences.js';
import { ListDeliveriesHandler } from './queries/list-deliveries.js';
import { ListNotificationsHandler } from './queries/list-notifications.js';

export const COMMAND_HANDLERS = [
  RegisterRecipientHandler,
  UpdateRecipientProfileHandler,
  DeactivateRecipientHandler,
  NotifySubscriberHandler,
  NotifyFollowersHandler,
  NotifyNarrationOwnerHandler,
  SendDueDeliveriesHandler,
  MarkNotificationReadHandler,
  UpdatePreferencesHandler,
];
export const QUERY_HANDLERS = [ListNotificationsHandler, GetPreferencesHandler, ListDeliveriesHandler];
