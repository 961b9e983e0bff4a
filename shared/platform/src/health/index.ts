export * from './readiness.js';
export * from './health-core.module.js';
