import 'reflect-metadata';
import { createDataSource, databaseConfigFromEnv, runMigrationsMain } from '@storytelling/platform';
import { storyMigrations } from '../migrations/index.js';
import { STORY_ENTITIES } from './infrastructure/persistence/entities.js';

/** dist/src/migrate.js: applies story's migrations as the story role, then exits. */
await runMigrationsMain({
  name: 'story',
  dataSourceFactory: () =>
    createDataSource(databaseConfigFromEnv('story'), { entities: STORY_ENTITIES, migrations: storyMigrations, applicationName: 'story-migrate' }),
});
