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
// Like npm test, the benchmark and every process it starts run on the images' Node major
// (scripts/lib/node-runtime.mjs): NODE_RUNTIME=system runs them on the machine's node instead (the
// Node 20 column of docs/benchmarks.md), NODE_RUNTIME=/path/to/node on that binary. BENCH_NODE=24
// and BENCH_NODE=<path> are the older spellings of NODE_RUNTIME=pinned and NODE_RUNTIME=<path>.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { runCli, UserFacingError } from './lib/log.mjs';
import { ensureDependencies } from './lib/bootstrap-steps.mjs';
import { runOnProjectNode } from './lib/node-runtime.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const benches = { events: 'shared/testing/src/bench/main.ts', stories: 'shared/testing/src/bench/stories-main.ts', narration: 'shared/testing/src/bench/narration-main.ts', startup: 'shared/testing/src/bench/startup-main.ts' };
const which = process.argv[2] ?? 'events';

const benchNode = process.env.BENCH_NODE?.trim();
if (benchNode) process.env.NODE_RUNTIME = benchNode === '24' ? 'pinned' : benchNode;

await runCli(async () => {
  await runOnProjectNode();
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
  const code = await new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', './shared/testing/src/bench/register-ts.mjs', entry], {
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
