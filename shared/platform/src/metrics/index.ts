export * from './registry.js';
export * from './http-metrics.js';
export * from './grpc-metrics.js';
export * from './metrics.controller.js';
export * from './scrape-gauge.js';
