export * from './idempotency.js';
export * from './migration.js';
