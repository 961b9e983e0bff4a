#!/usr/bin/env node
// npm run jest -- <jest args>: jest alone (no build, no checks), on the images' Node major like
// npm test (scripts/lib/node-runtime.mjs; NODE_RUNTIME=system opts out). Exits with jest's status.
import { runCli } from './lib/log.mjs';
import { runInherited } from './lib/exec.mjs';
import { jestArgs } from './lib/jest-command.mjs';
import { runOnProjectNode } from './lib/node-runtime.mjs';
import { repoRoot } from './lib/paths.mjs';

await runCli(async () => {
  await runOnProjectNode();
  process.exitCode = await runInherited(process.execPath, jestArgs(process.argv.slice(2)), { cwd: repoRoot });
});
