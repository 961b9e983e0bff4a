export * from './job-loops.js';
export * from './leased-job-table.js';
