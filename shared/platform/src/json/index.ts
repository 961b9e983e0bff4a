export * from './json-depth.js';
