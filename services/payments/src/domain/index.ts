export * from './errors.js';
export * from './events.js';
export * from './money.js';
export * from './payment.js';
export * from './provider-event.js';
export * from './repositories.js';
