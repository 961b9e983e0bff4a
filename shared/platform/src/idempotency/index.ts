export * from './idempotency.js';
export * from './migration.js';
export * from './sweeper.js';
