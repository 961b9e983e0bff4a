import type { DataSource } from 'typeorm';
import { getLogger, rootLogger, setServiceName } from '../logging/logger.js';
import { runMigrations } from '../persistence/run-migrations.js';

export interface MigrationsMainOptions {
  /** Service name (logs). */
  name: string;
  /** Builds the service's DataSource (createDataSource(databaseConfigFromEnv(name), { migrations })). */
  dataSourceFactory: () => DataSource | Promise<DataSource>;
}

/**
 * Body of a service's `migrate.ts` (dist/src/migrate.js): applies its migrations as its own role,
 * then exits 0; on any failure logs it and exits 1 (a Kubernetes hook Job fails visibly).
 *
 *   await runMigrationsMain({ name: 'identity', dataSourceFactory: () => createDataSource(databaseConfigFromEnv('identity'), { migrations }) });
 */
export async function runMigrationsMain(options: MigrationsMainOptions): Promise<number> {
  setServiceName(options.name);
  const log = getLogger('migrate');
  let dataSource: DataSource | undefined;
  let code = 0;
  try {
    dataSource = await options.dataSourceFactory();
    const applied = await runMigrations(dataSource);
    log.info({ applied }, `${options.name}: ${applied.length} migration(s) applied`);
  } catch (err) {
    code = 1;
    log.error({ err }, `${options.name}: migrations failed`);
  } finally {
    if (dataSource?.isInitialized) await dataSource.destroy().catch(() => undefined);
  }
  rootLogger.flush();
  process.exitCode = code;
  return code;
}
