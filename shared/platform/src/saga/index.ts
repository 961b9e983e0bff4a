export * from './saga.js';
export * from './saga-deadline-poller.js';
export * from './saga-metrics.js';
export * from './saga-migrations.js';
export * from './saga-store.js';
