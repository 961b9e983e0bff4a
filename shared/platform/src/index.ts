// One barrel per area; each area keeps its own index.ts.
export * from './app/index.js';
export * from './auth/index.js';
export * from './config/index.js';
export * from './context/index.js';
export * from './health/index.js';
export * from './idempotency/index.js';
export * from './jobs/index.js';
export * from './json/index.js';
export * from './logging/index.js';
export * from './media/index.js';
export * from './messaging/index.js';
export * from './metrics/index.js';
export * from './persistence/index.js';
export * from './retention/index.js';
export * from './rpc/index.js';
export * from './saga/index.js';
export * from './telemetry/index.js';
