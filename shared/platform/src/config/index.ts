export * from './schema.js';
export * from './common-schema.js';
