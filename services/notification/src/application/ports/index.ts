export * from './channels.js';
export * from './follower-directory.js';
export * from './sender-settings.js';
export * from './templates.js';
export * from './unit-of-work.js';
