import 'reflect-metadata';
import { createDataSource, databaseConfigFromEnv, runMigrationsMain } from '@storytelling/platform';
import { identityMigrations } from '../migrations/index.js';
import { IDENTITY_ENTITIES } from './infrastructure/persistence/entities.js';

/** dist/src/migrate.js: applies identity's migrations as the identity role, then exits. */
await runMigrationsMain({
  name: 'identity',
  dataSourceFactory: () =>
    createDataSource(databaseConfigFromEnv('identity'), { entities: IDENTITY_ENTITIES, migrations: identityMigrations, applicationName: 'identity-migrate' }),
});
