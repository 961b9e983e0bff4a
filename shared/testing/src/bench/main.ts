// Entry of `node scripts/bench.mjs events`: reads its settings from the environment the script
// prepared, runs the benchmark, prints the JSON line last.
import { runEventsBench } from './events-bench.js';

const env = process.env;
const num = (name: string, fallback: number): number => (env[name] ? Number(env[name]) : fallback);

const result = await runEventsBench({
  adminUrl: env.BENCH_ADMIN_URL ?? '',
  brokers: (env.BENCH_BROKERS ?? '').split(',').filter(Boolean),
  rawEvents: num('BENCH_RAW_EVENTS', 100_000),
  pipelineEvents: num('BENCH_PIPELINE_EVENTS', 50_000),
  latencyRate: num('BENCH_RATE', 1000),
  latencySeconds: num('BENCH_SECONDS', 10),
  partitions: num('BENCH_PARTITIONS', 6),
  phases: env.BENCH_PHASES ?? 'abc',
  effects: env.BENCH_EFFECTS,
  rounds: num('BENCH_ROUNDS', 3),
  warmupEvents: num('BENCH_WARMUP_EVENTS', 10_000),
  relayBatchSize: num('BENCH_RELAY_BATCH', 1000),
  relayPipelineDepth: num('BENCH_RELAY_DEPTH', 2),
  consumerMessagesPerTransaction: num('BENCH_CONSUMER_TX', 100),
  writerPool: num('BENCH_WRITER_POOL', 10),
  consumerConcurrency: num('BENCH_CONSUMER_CONCURRENCY', num('BENCH_PARTITIONS', 6)),
  ...(env.BENCH_CPU_PROFILE ? { cpuProfileDir: env.BENCH_CPU_PROFILE } : {}),
  ...(env.BENCH_COMPARE_ROOT ? { compareRoot: env.BENCH_COMPARE_ROOT } : {}),
});
process.stdout.write(`${JSON.stringify(result)}\n`);
process.exit(0);
