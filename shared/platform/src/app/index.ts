export * from './bootstrap-service.js';
export * from './platform-core.module.js';
export * from './nest-logger.js';
export * from './free-port.js';
export * from './idle-memory.js';
export * from './migrate-main.js';
export * from './service-module.js';
