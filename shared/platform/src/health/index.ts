export * from './readiness.js';
export * from './health-core.module.js';
export * from './health.controller.js';
export * from './grpc-health.js';
