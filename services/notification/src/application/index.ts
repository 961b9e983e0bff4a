export * from './access.js';
export * from './commands/notifications.js';
export * from './commands/preferences.js';
export * from './delivery/delivery-sender.js';
export * from './delivery/notification-planner.js';
export * from './ports/index.js';
export * from './queries/deliveries.js';
export * from './queries/notifications.js';
export * from './queries/preferences.js';

import { MarkNotificationReadHandler } from './commands/notifications.js';
import { UpdatePreferencesHandler } from './commands/preferences.js';
import { ListDeliveriesHandler } from './queries/deliveries.js';
import { ListNotificationsHandler } from './queries/notifications.js';
import { GetPreferencesHandler } from './queries/preferences.js';

export const COMMAND_HANDLERS = [MarkNotificationReadHandler, UpdatePreferencesHandler];
export const QUERY_HANDLERS = [ListNotificationsHandler, GetPreferencesHandler, ListDeliveriesHandler];
