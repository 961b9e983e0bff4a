import { platformMigrations } from '@storytelling/platform';
import { NotificationSchema1764100000000 } from './1764100000000-notification-schema.js';

/** notification's migrations, in order: the platform's tables (outbox, inbox) first. */
export const notificationMigrations = [...platformMigrations, NotificationSchema1764100000000];
