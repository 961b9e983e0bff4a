// The node arguments that run jest the way this project needs (ES modules through the VM API).
import { join } from 'node:path';
import { repoRoot } from './paths.mjs';

/** @param {string[]} args jest's own arguments */
export function jestArgs(args) {
  return ['--experimental-vm-modules', '--no-warnings=ExperimentalWarning', join(repoRoot, 'node_modules', 'jest', 'bin', 'jest.js'), ...args];
}
