import 'reflect-metadata';
import { createDataSource, databaseConfigFromEnv, runMigrationsMain } from '@storytelling/platform';
import { narrationMigrations } from '../migrations/index.js';
import { NARRATION_ENTITIES } from './infrastructure/persistence/entities.js';

/** dist/src/migrate.js: applies narration's migrations as the narration role, then exits. */
await runMigrationsMain({
  name: 'narration',
  dataSourceFactory: () =>
    createDataSource(databaseConfigFromEnv('narration'), { entities: NARRATION_ENTITIES, migrations: narrationMigrations, applicationName: 'narration-migrate' }),
});
