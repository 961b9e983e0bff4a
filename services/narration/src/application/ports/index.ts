export * from './unit-of-work.js';
export * from './media-files.js';
export * from './speech-engine.js';
export * from './subscription-plans.js';
export * from './voice-cloning.js';
export * from './narration-work.js';
export * from './story-source.js';
