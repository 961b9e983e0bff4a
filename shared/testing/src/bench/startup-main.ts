// Entry of `node scripts/bench.mjs startup` (startup-bench.ts). Tunables: BENCH_RUNS (3),
// BENCH_SETTLE_MS (10000), BENCH_STARTUP_BOOTSTRAP (1; 0 skips the bootstrap step),
// BENCH_SERVICE_LOG_LEVEL (info, as npm start), BENCH_SERVICE_ENV (JSON: extra environment per
// service, `*` for all, e.g. {"*":{"NODE_OPTIONS":"--max-semi-space-size=1"}}), BENCH_NODE_ARGS
// (JSON: extra node arguments per service, e.g. {"gateway":["--cpu-prof","--cpu-prof-dir=/tmp/p"]}).
import { runStartupBench } from './startup-bench.js';

const env = process.env;
const num = (name: string, fallback: number): number => (env[name] ? Number(env[name]) : fallback);

const { result, runs } = await runStartupBench({
  brokers: (env.BENCH_BROKERS ?? '').split(',').filter(Boolean),
  databaseName: env.BENCH_DATABASE ?? 'storytelling_bench_startup',
  runs: num('BENCH_RUNS', 3),
  settleMs: num('BENCH_SETTLE_MS', 10_000),
  bootstrap: env.BENCH_STARTUP_BOOTSTRAP !== '0',
  logLevel: env.BENCH_SERVICE_LOG_LEVEL ?? 'info',
  ...(env.BENCH_SERVICE_ENV ? { serviceEnv: JSON.parse(env.BENCH_SERVICE_ENV) as Record<string, Record<string, string>> } : {}),
  ...(env.BENCH_NODE_ARGS ? { nodeArgs: JSON.parse(env.BENCH_NODE_ARGS) as Record<string, string[]> } : {}),
});
process.stdout.write(`details ${JSON.stringify(runs)}\n`);
process.stdout.write(`${JSON.stringify(result)}\n`);
process.exit(0);
