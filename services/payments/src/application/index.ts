export * from './charge-payment.js';
export * from './handle-webhook.js';
export * from './ports/index.js';
export * from './queries.js';
export * from './refund-payment.js';
