// Entry of `node scripts/bench.mjs stories`: reads its settings from the environment, runs the
// benchmark, prints the details and then, last, the one-line JSON result.
// Tunables: BENCH_CONNECTIONS (32), BENCH_WARMUP_SECONDS (3), BENCH_SECONDS (10),
// BENCH_LATENCY_LOAD (0.5), BENCH_LATENCY_SECONDS (10), BENCH_POOL (10), BENCH_CONTENT_CHARS (2000),
// BENCH_SERVICE_ENV (JSON: extra environment per service, e.g.
// {"gateway":{"NODE_OPTIONS":"--trace-gc"}}), BENCH_PROFILE (e.g. gateway,story: CPU
// profiles of those services, summarised at the end), BENCH_GC_LOG (e.g. gateway,story: GC pauses
// of 5 ms and more in their logs).
import { runStoriesBench } from './stories-bench.js';

const env = process.env;
const num = (name: string, fallback: number): number => (env[name] ? Number(env[name]) : fallback);

const { result, details } = await runStoriesBench({
  brokers: (env.BENCH_BROKERS ?? '').split(',').filter(Boolean),
  databaseName: env.BENCH_DATABASE ?? 'storytelling_bench_stories',
  connections: num('BENCH_CONNECTIONS', 32),
  warmupSeconds: num('BENCH_WARMUP_SECONDS', 3),
  seconds: num('BENCH_SECONDS', 10),
  latencyLoad: num('BENCH_LATENCY_LOAD', 0.5),
  latencySeconds: num('BENCH_LATENCY_SECONDS', 10),
  poolSize: num('BENCH_POOL', 10),
  contentChars: num('BENCH_CONTENT_CHARS', 2000),
  ...(env.BENCH_SERVICE_ENV ? { serviceEnv: JSON.parse(env.BENCH_SERVICE_ENV) as Record<string, Record<string, string>> } : {}),
  ...(env.BENCH_GC_LOG ? { gcLog: env.BENCH_GC_LOG.split(',').map((s) => s.trim()).filter(Boolean) } : {}),
  ...(env.BENCH_PROFILE ? { profile: env.BENCH_PROFILE.split(',').map((s) => s.trim()).filter(Boolean) } : {}),
  ...(env.BENCH_PROFILE_PHASE === 'latency' ? { profilePhase: 'latency' as const } : {}),
});
process.stdout.write(`details ${JSON.stringify(details)}\n`);
process.stdout.write(`${JSON.stringify(result)}\n`);
process.exit(0);
