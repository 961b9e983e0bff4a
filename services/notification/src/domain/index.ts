export * from './delivery.js';
export * from './notification-type.js';
export * from './preferences.js';
export * from './quiet-hours.js';
export * from './recipient.js';
