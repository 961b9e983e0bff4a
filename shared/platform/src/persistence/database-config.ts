/** Where a service's data lives: its own role (in the URL) and its own schema. */
export interface DatabaseConfig {
  /** `postgres://<role>:<password>@host:port/<database>` */
  url: string;
  /** The service's schema; becomes the connection's `search_path`. */
  schema: string;
  /** Upper bound of the connection pool (default 10). */
  poolMax?: number;
}

const IDENT = /^[a-z_][a-z0-9_]{0,62}$/;

/** Schema names are interpolated into SQL (search_path, channel names), so only plain identifiers pass. */
export function assertSchemaName(schema: string): string {
  if (!IDENT.test(schema)) {
    throw new Error(`invalid schema name ${JSON.stringify(schema)}: expected a lower-case SQL identifier`);
  }
  return schema;
}

/**
 * Reads `DATABASE_URL` and `DATABASE_SCHEMA` (docs/conventions.md). `defaultSchema` is the
 * service name; a missing URL fails fast with a clear message.
 */
export function databaseConfigFromEnv(defaultSchema: string, env: NodeJS.ProcessEnv = process.env): DatabaseConfig {
  const url = env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is required (postgres://<role>:<password>@host:port/storytelling)');
  const schema = assertSchemaName(env.DATABASE_SCHEMA || defaultSchema);
  const poolMax = env.DATABASE_POOL_MAX ? Number(env.DATABASE_POOL_MAX) : undefined;
  if (poolMax !== undefined && (!Number.isInteger(poolMax) || poolMax < 1)) {
    throw new Error(`DATABASE_POOL_MAX must be a positive integer, got ${env.DATABASE_POOL_MAX}`);
  }
  return poolMax === undefined ? { url, schema } : { url, schema, poolMax };
}

/** pg connection options that pin the session's search_path to the service schema. */
export function searchPathOption(schema: string): string {
  return `-c search_path=${assertSchemaName(schema)}`;
}
