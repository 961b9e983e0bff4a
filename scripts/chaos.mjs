#!/usr/bin/env node
// npm run chaos: the fleet under fire. Bootstraps and builds like npm start, then starts its own
// PostgreSQL and Kafka on free ports with its own data (.data/chaos), the whole fleet on free
// ports, drives CHAOS_OPERATIONS (1,000) mixed operations through the gateway while it SIGKILLs
// every service once and restarts Kafka once, and checks that nothing was lost or duplicated
// (docs/chaos.md). Exits non-zero when something was. Writes the last run's table to docs/chaos.md.
// Runs on the images' Node major (scripts/lib/node-runtime.mjs; NODE_RUNTIME=system opts out).
import { runCli } from './lib/log.mjs';
import { bootstrap } from './lib/bootstrap-steps.mjs';
import { runOnProjectNode } from './lib/node-runtime.mjs';

await runCli(async () => {
  await runOnProjectNode();
  await bootstrap({ build: true });
  // Imported after bootstrap: a fresh clone has no pg/kafkajs until then.
  const { runChaos } = await import('./lib/chaos/run.mjs');
  await runChaos();
});
