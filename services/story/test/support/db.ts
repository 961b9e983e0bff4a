import type { Clock } from '@storytelling/kernel';
import { systemClock } from '@storytelling/kernel';
import { EventStore, UnitOfWork, createDataSource, runMigrations } from '@storytelling/platform';
import { testEnvironment } from '@storytelling/testing';
import type { DataSource } from 'typeorm';
import { storyMigrations } from '../../migrations/index.js';
import { STORY_ENTITIES } from '../../src/infrastructure/persistence/entities.js';
import type { StorySandbox } from './sandbox.js';
import { storyUnitOfWork } from '../../src/infrastructure/persistence/unit-of-work.js';

/** story's schema in this test run's database (or a sandbox's), migrated, as its own role. */
export async function migratedDataSource(sandbox?: StorySandbox): Promise<DataSource> {
  const ds = createDataSource(
    sandbox
      ? { url: sandbox.env.DATABASE_URL, schema: sandbox.env.DATABASE_SCHEMA, poolMax: 10 }
      : { url: testEnvironment().databaseUrlFor('story'), schema: 'story', poolMax: 10 },
    { entities: STORY_ENTITIES, migrations: storyMigrations, applicationName: 'story-test' },
  );
  await ds.initialize();
  await runMigrations(ds);
  return ds;
}

export function postgresUnitOfWork(ds: DataSource, clock: Clock = systemClock) {
  return storyUnitOfWork(new UnitOfWork(ds), new EventStore(), ds, clock);
}

/** Outbox rows of one aggregate, oldest first. */
export async function outboxOf(ds: DataSource, aggregateId: string): Promise<Array<{ type: string; version: number; data: Record<string, unknown> }>> {
  return ds.query(`SELECT type, version, data FROM domain_events WHERE aggregate_id = $1 ORDER BY version`, [aggregateId]);
}
