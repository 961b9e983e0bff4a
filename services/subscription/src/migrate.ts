import 'reflect-metadata';
import { createDataSource, databaseConfigFromEnv, runMigrationsMain } from '@storytelling/platform';
import { subscriptionMigrations } from '../migrations/index.js';
import { SUBSCRIPTION_ENTITIES } from './infrastructure/persistence/entities.js';

/** dist/src/migrate.js: applies subscription's migrations as the subscription role, then exits. */
await runMigrationsMain({
  name: 'subscription',
  dataSourceFactory: () =>
    createDataSource(databaseConfigFromEnv('subscription'), { entities: SUBSCRIPTION_ENTITIES, migrations: subscriptionMigrations, applicationName: 'subscription-migrate' }),
});
