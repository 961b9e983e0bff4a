import 'reflect-metadata';
import { createDataSource, databaseConfigFromEnv, runMigrationsMain } from '@storytelling/platform';
import { notificationMigrations } from '../migrations/index.js';

/** dist/src/migrate.js: applies notification's migrations as the notification role, then exits. */
await runMigrationsMain({
  name: 'notification',
  dataSourceFactory: () =>
    createDataSource(databaseConfigFromEnv('notification'), { entities: [], migrations: notificationMigrations, applicationName: 'notification-migrate' }),
});
