import 'reflect-metadata';
import { createDataSource, databaseConfigFromEnv, runMigrationsMain } from '@storytelling/platform';
import { paymentsMigrations } from '../migrations/index.js';
import { PAYMENTS_ENTITIES } from './infrastructure/persistence/entities.js';

/** dist/src/migrate.js: applies payments' migrations as the payments role, then exits. */
await runMigrationsMain({
  name: 'payments',
  dataSourceFactory: () =>
    createDataSource(databaseConfigFromEnv('payments'), { entities: PAYMENTS_ENTITIES, migrations: paymentsMigrations, applicationName: 'payments-migrate' }),
});
