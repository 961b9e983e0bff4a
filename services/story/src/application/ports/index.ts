export * from './analysis-worker.js';
export * from './story-analyser.js';
export * from './story-quota.js';
export * from './unit-of-work.js';
