import { DataSource, type DataSourceOptions, type MigrationInterface } from 'typeorm';
import { assertSchemaName, searchPathOption, type DatabaseConfig } from './database-config.js';
import { PlatformTypeOrmLogger } from './typeorm-logger.js';

export type MigrationClass = new () => MigrationInterface;

export interface DataSourceMappings {
  /** TypeORM entity classes (or schemas) of the service. */
  entities?: NonNullable<DataSourceOptions['entities']>;
  /** Migration classes; a service's list starts with `...platformMigrations`. */
  migrations?: readonly MigrationClass[];
  /** Shown in pg_stat_activity. */
  applicationName?: string;
}

/**
 * A TypeORM DataSource bound to one service schema: search_path is the schema, the migrations
 * table lives in it, nothing is synchronized, and uuid defaults use the built-in
 * gen_random_uuid() (no extension to install, which a service role could not do anyway).
 * TypeORM logs through PlatformTypeOrmLogger, which never prints a statement's parameters.
 */
export function createDataSource(config: DatabaseConfig, mappings: DataSourceMappings = {}): DataSource {
  const schema = assertSchemaName(config.schema);
  return new DataSource({
    type: 'postgres',
    url: config.url,
    schema,
    entities: mappings.entities ?? [],
    migrations: [...(mappings.migrations ?? [])],
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    migrationsRun: false,
    uuidExtension: 'pgcrypto',
    installExtensions: false,
    poolSize: config.poolMax ?? 10,
    applicationName: mappings.applicationName ?? schema,
    logger: new PlatformTypeOrmLogger(),
    extra: { options: searchPathOption(schema) },
  });
}
