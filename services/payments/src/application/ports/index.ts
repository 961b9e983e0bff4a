export * from './payment-provider.js';
export * from './unit-of-work.js';
