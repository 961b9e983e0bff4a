export * from './payment-provider.js';
export * from './payments-store.js';
