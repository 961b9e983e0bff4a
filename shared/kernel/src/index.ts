export * from './aggregate-root.js';
export * from './clock.js';
export * from './domain-event.js';
export * from './errors.js';
export * from './ids.js';
export * from './leased-job.js';
export * from './pagination.js';
export * from './unit-of-work.js';
