import { randomBytes } from 'node:crypto';
import type { Clock } from '@storytelling/kernel';
import { systemClock } from '@storytelling/kernel';
import { EventStore, UnitOfWork, createDataSource, runMigrations } from '@storytelling/platform';
import { testEnvironment } from '@storytelling/testing';
import type { DataSource } from 'typeorm';
import { identityMigrations } from '../../migrations/index.js';
import { IDENTITY_ENTITIES } from '../../src/infrastructure/persistence/entities.js';
import { identityUnitOfWork } from '../../src/infrastructure/persistence/unit-of-work.js';

/** identity's schema in this test run's database, migrated, as the identity role. */
export async function migratedDataSource(): Promise<DataSource> {
  const ds = createDataSource(
    { url: testEnvironment().databaseUrlFor('identity'), schema: 'identity', poolMax: 5 },
    { entities: IDENTITY_ENTITIES, migrations: identityMigrations, applicationName: 'identity-test' },
  );
  await ds.initialize();
  await runMigrations(ds);
  return ds;
}

export function postgresUnitOfWork(ds: DataSource, clock: Clock = systemClock) {
  return identityUnitOfWork(new UnitOfWork(ds), new EventStore(), ds, clock);
}

/** A unique email per test, so tests sharing the run's schema never collide. */
export function uniqueEmail(name = 'user'): string {
  return `${name}.${randomBytes(5).toString('hex')}@example.com`;
}
