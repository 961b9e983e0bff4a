export * from './job-loops.js';
export * from './leased-job-table.js';
export * from './job-metrics.js';
export * from './lease-heartbeat.js';
