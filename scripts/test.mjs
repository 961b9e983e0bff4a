#!/usr/bin/env node
// npm test [-- <jest args>]: bootstrap, type-check and build (tsc -b), type-check the tests
// (every */test/tsconfig.json), the domain dependency rule, the service layout, the deployment checks (when
// present), then jest against real PostgreSQL and Kafka (shared/testing's global setup starts
// them, its own, on free ports). Exits non-zero on the first failure. Everything runs on the
// images' Node major (scripts/lib/node-runtime.mjs; NODE_RUNTIME=system opts out).
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { runCli, say, UserFacingError } from './lib/log.mjs';
import { bootstrap } from './lib/bootstrap-steps.mjs';
import { runInherited } from './lib/exec.mjs';
import { jestArgs } from './lib/jest-command.mjs';
import { runOnProjectNode } from './lib/node-runtime.mjs';
import { repoRoot } from './lib/paths.mjs';

/** @param {string} label @param {string[]} args node arguments */
async function step(label, args) {
  say('test', label);
  const code = await runInherited(process.execPath, args, { cwd: repoRoot });
  if (code !== 0) throw new UserFacingError(`${label} failed (exit ${code})`);
}

/** Test folders with their own tsconfig.json: jest's swc transform does not type-check tests. */
function testProjects() {
  return ['services', 'shared'].flatMap((group) => {
    const dir = join(repoRoot, group);
    if (!existsSync(dir)) return [];
    return readdirSync(dir)
      .map((name) => join(dir, name, 'test', 'tsconfig.json'))
      .filter((file) => existsSync(file));
  });
}

await runCli(async () => {
  const started = Date.now();
  await runOnProjectNode();
  await bootstrap({ build: true });
  const tsc = join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');
  for (const project of testProjects()) await step(`tsc -p ${relative(repoRoot, project)}`, [tsc, '-p', project]);
  await step('check:domain', [join(repoRoot, 'scripts', 'check-domain-imports.mjs')]);
  await step('check:layout', [join(repoRoot, 'scripts', 'check-layout.mjs')]);
  const deployCheck = join(repoRoot, 'scripts', 'deploy-check.mjs');
  if (existsSync(deployCheck)) await step('deploy:check', [deployCheck]);
  // jest's JSON report gives the plain closing line CI readers look for ("N passed, N failed").
  const report = join(repoRoot, '.data', 'test-results', 'jest.json');
  mkdirSync(dirname(report), { recursive: true });
  rmSync(report, { force: true });
  say('test', 'jest');
  const code = await runInherited(process.execPath, jestArgs(['--json', `--outputFile=${report}`, ...process.argv.slice(2)]), { cwd: repoRoot });
  if (existsSync(report)) {
    const r = JSON.parse(readFileSync(report, 'utf8'));
    console.log(`jest: ${r.numPassedTests} passed, ${r.numFailedTests + r.numRuntimeErrorTestSuites} failed`);
  }
  if (code !== 0) throw new UserFacingError(`jest failed (exit ${code})`);
  say('test', `all green in ${Math.round((Date.now() - started) / 1000)}s`);
});
