export * from './analysis-jobs.js';
export * from './analysis-store.js';
export * from './clock.js';
export * from './read-model.js';
export * from './story-analyser.js';
export * from './unit-of-work.js';
export * from './story-quota.js';
