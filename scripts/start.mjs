#!/usr/bin/env node
// npm start: everything a new user needs, in the foreground. Installs what is missing and
// builds, starts PostgreSQL and Kafka (or reuses them), provisions each service's role and
// schema, migrates, starts every service and the gateway, prints where the API is.
// Ctrl-C / SIGTERM stops the fleet; the infrastructure keeps running (`npm run infra:down`).
// Runs on the images' Node major (scripts/lib/node-runtime.mjs; NODE_RUNTIME=system opts out).
import { runCli } from './lib/log.mjs';
import { bootstrap } from './lib/bootstrap-steps.mjs';
import { runOnProjectNode } from './lib/node-runtime.mjs';

await runCli(async () => {
  await runOnProjectNode();
  await bootstrap({ build: true });
  // Imported after bootstrap: a fresh clone has no pg/kafkajs until then.
  const { runFleetInForeground } = await import('./lib/fleet-foreground.mjs');
  await runFleetInForeground();
});
