export * from './dunning.js';
export * from './errors.js';
export * from './events.js';
export * from './period.js';
export * from './repositories.js';
export * from './subscription.js';
export * from './tier.js';
export * from './usage.js';
