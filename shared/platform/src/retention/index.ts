export * from './retention-config.js';
export * from './retention-metrics.js';
export * from './retention-module.js';
export * from './retention-rules.js';
