export * from './database-config.js';
export * from './data-source.js';
export * from './migrations/platform-migrations.js';
export * from './run-migrations.js';
export * from './unit-of-work.js';
export * from './persistence.module.js';
export * from './versioned-record.js';
export * from './sql-rows.js';
