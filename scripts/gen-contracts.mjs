#!/usr/bin/env node
// Contracts pipeline for proto/ (the published language, docs/adr/0004-proto-as-published-language.md):
//   1. buf lint
//   2. buf breaking against the last commit on `main` that has proto/ (skipped, with a message,
//      when there is none: a fresh repository or a clone without `main`)
//   3. buf generate -> shared/contracts/src/gen (ts-proto; gitignored)
//   4. scripts/gen-asyncapi.mjs -> docs/asyncapi.yaml
// A re-run is a no-op when every output is newer than every input (proto files, buf config,
// these scripts); `--force` regenerates anyway. `--check` verifies instead of writing
// (lint + breaking + asyncapi up to date; exits 1 otherwise).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const protoDir = join(root, 'proto');
const genDir = join(root, 'shared/contracts/src/gen');
const stamp = join(genDir, '.generated');
const asyncapiDoc = join(root, 'docs/asyncapi.yaml');
const buf = join(root, 'node_modules/.bin', process.platform === 'win32' ? 'buf.cmd' : 'buf');

const args = new Set(process.argv.slice(2));
const force = args.has('--force');
const check = args.has('--check');

function log(msg) {
  process.stdout.write(`[gen-contracts] ${msg}\n`);
}

function fail(msg) {
  process.stderr.write(`[gen-contracts] ${msg}\n`);
  process.exit(1);
}

function walk(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)],
  );
}

function newestInput() {
  const inputs = [
    ...walk(protoDir),
    join(root, 'scripts/gen-contracts.mjs'),
    join(root, 'scripts/gen-asyncapi.mjs'),
    join(root, 'scripts/gen-message-catalogue.mjs'),
    join(root, 'node_modules/ts-proto/package.json'),
  ].filter((f) => existsSync(f));
  return Math.max(...inputs.map((f) => statSync(f).mtimeMs));
}

function oldestOutput() {
  const outputs = [stamp, asyncapiDoc];
  if (!outputs.every((f) => existsSync(f))) return -Infinity;
  return Math.min(...outputs.map((f) => statSync(f).mtimeMs));
}

function run(cmd, argv, what) {
  const res = spawnSync(cmd, argv, { cwd: root, stdio: 'inherit' });
  if (res.error) fail(`${what} could not start: ${res.error.message}`);
  if (res.status !== 0) fail(`${what} failed (exit ${res.status})`);
}

function git(argv) {
  try {
    return execFileSync('git', argv, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}

/** The commit on main to compare with, or a reason why there is none. */
function breakingBaseline() {
  const main = git(['rev-parse', '--verify', '--quiet', 'refs/heads/main^{commit}']);
  if (!main) return { skip: 'no local branch `main`' };
  const last = git(['log', '-1', '--format=%H', main, '--', 'proto']);
  if (!last) return { skip: 'main has no commit containing proto/ yet' };
  if (git(['cat-file', '-e', `${main}:proto/buf.yaml`]) === undefined) return { skip: 'proto/buf.yaml is not on main yet' };
  return { commit: main };
}

if (!existsSync(buf)) fail(`buf not found at ${relative(root, buf)}; run pnpm install`);

if (!force && !check && oldestOutput() > newestInput()) {
  log('contracts up to date (outputs newer than every proto file); --force to regenerate');
  process.exit(0);
}

log('buf lint');
run(buf, ['lint', 'proto'], 'buf lint');

const baseline = breakingBaseline();
if (baseline.skip) {
  log(`buf breaking skipped: ${baseline.skip}`);
} else {
  // Against the committed tree of main (the working tree is what is being checked). The git
  // directory is addressed absolutely so worktrees and subdirectory invocations work.
  const gitDir = git(['rev-parse', '--path-format=absolute', '--git-common-dir']) ?? join(root, '.git');
  const against = `${gitDir}#ref=${baseline.commit},subdir=proto`;
  log(`buf breaking against main@${baseline.commit.slice(0, 12)}`);
  run(buf, ['breaking', 'proto', '--against', against], 'buf breaking');
}

if (check) {
  run(process.execPath, [join(root, 'scripts/gen-asyncapi.mjs'), '--check'], 'asyncapi check');
  log('check passed');
  process.exit(0);
}

log('buf generate -> shared/contracts/src/gen');
run(buf, ['generate', 'proto', '--template', 'proto/buf.gen.yaml'], 'buf generate');
mkdirSync(genDir, { recursive: true });
writeFileSync(stamp, `${new Date().toISOString()}\n`);

log('message catalogue -> shared/contracts/src/gen/**/*.messages.ts');
run(process.execPath, [join(root, 'scripts/gen-message-catalogue.mjs')], 'gen-message-catalogue');

log('asyncapi -> docs/asyncapi.yaml');
run(process.execPath, [join(root, 'scripts/gen-asyncapi.mjs')], 'gen-asyncapi');
log('done');
