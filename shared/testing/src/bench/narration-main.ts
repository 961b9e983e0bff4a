// Entry of `node scripts/bench.mjs narration`. Tunables: BENCH_WORDS (1000), BENCH_TIMEOUT_MS (900000).
import { runNarrationBench } from './narration-bench.js';

const env = process.env;
const { result, details } = await runNarrationBench({
  brokers: (env.BENCH_BROKERS ?? '').split(',').filter(Boolean),
  databaseName: env.BENCH_DATABASE ?? 'storytelling_bench_narration',
  words: env.BENCH_WORDS ? Number(env.BENCH_WORDS) : 1000,
  timeoutMs: env.BENCH_TIMEOUT_MS ? Number(env.BENCH_TIMEOUT_MS) : 900_000,
});
process.stdout.write(`details ${JSON.stringify(details)}\n`);
process.stdout.write(`${JSON.stringify(result)}\n`);
process.exit(0);
