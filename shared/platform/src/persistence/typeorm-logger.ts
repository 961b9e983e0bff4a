import type { Logger as TypeOrmLogger } from 'typeorm';
import { getLogger } from '../logging/logger.js';

/**
 * TypeORM's logger for every DataSource of the platform: pino, and never a statement's
 * parameters (they carry emails, password hashes, payment tokens). Failed statements are logged
 * at debug only (whoever catches the error decides whether it matters, and the error serializer
 * strips its values); statements at trace and slow ones (when maxQueryExecutionTime is set) at
 * warn, with their SQL text, which has placeholders, not values. Schema and migration messages
 * go to debug (run-migrations logs what it applied).
 */
export class PlatformTypeOrmLogger implements TypeOrmLogger {
  private readonly pino = getLogger('typeorm');

  logQuery(query: string): void {
    if (this.pino.isLevelEnabled('trace')) this.pino.trace({ query: clip(query) }, 'query');
  }

  logQueryError(error: string | Error, query: string): void {
    this.pino.debug({ err: typeof error === 'string' ? new Error(error) : error, query: clip(query) }, 'query failed');
  }

  logQuerySlow(time: number, query: string): void {
    this.pino.warn({ durationMs: time, query: clip(query) }, 'slow query');
  }

  logSchemaBuild(message: string): void {
    this.pino.debug(message);
  }

  logMigration(message: string): void {
    this.pino.debug(message);
  }

  log(level: 'log' | 'info' | 'warn', message: unknown): void {
    if (level === 'warn') this.pino.warn({ message: String(message) }, 'typeorm warning');
    else this.pino.debug({ message: String(message) }, 'typeorm');
  }
}

/** Statements can be long (batched inserts); the start says which one it was. */
function clip(query: string): string {
  return query.length > 500 ? `${query.slice(0, 500)}…` : query;
}
