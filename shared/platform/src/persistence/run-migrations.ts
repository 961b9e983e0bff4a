import type { DataSource } from 'typeorm';
import { getLogger } from '../logging/logger.js';

const log = getLogger('migrations');

/**
 * Applies pending migrations (each in its own transaction) and returns the names applied.
 * Replicas or jobs racing to migrate the same schema are serialized by a session advisory lock
 * keyed by the schema, so a second runner waits and then finds nothing to do.
 */
export async function runMigrations(dataSource: DataSource): Promise<string[]> {
  if (!dataSource.isInitialized) await dataSource.initialize();
  const schema = schemaOf(dataSource);
  const lockRunner = dataSource.createQueryRunner();
  await lockRunner.connect();
  try {
    await lockRunner.query(`SELECT pg_advisory_lock(hashtextextended($1, 0))`, [`migrations:${schema}`]);
    try {
      const applied = await dataSource.runMigrations({ transaction: 'each' });
      const names = applied.map((m) => m.name);
      log.info({ schema, applied: names }, names.length ? 'migrations applied' : 'schema up to date');
      return names;
    } finally {
      await lockRunner.query(`SELECT pg_advisory_unlock(hashtextextended($1, 0))`, [`migrations:${schema}`]);
    }
  } finally {
    await lockRunner.release();
  }
}

export function schemaOf(dataSource: DataSource): string {
  const options = dataSource.options as { schema?: string };
  if (!options.schema) throw new Error('DataSource has no schema; create it with createDataSource()');
  return options.schema;
}
