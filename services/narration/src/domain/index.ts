export * from './events.js';
export * from './repositories.js';
