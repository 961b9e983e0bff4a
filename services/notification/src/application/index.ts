export * from './planner.js';
export * from './ports/index.js';
export * from './queries.js';
export * from './sender.js';
