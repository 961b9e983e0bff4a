#!/usr/bin/env node
// npm run infra:up | infra:down | infra:status — the local PostgreSQL and Kafka.
import { runCli, say, UserFacingError } from './lib/log.mjs';
import { ensureDependencies } from './lib/bootstrap-steps.mjs';

const command = process.argv[2];

await runCli(async () => {
  if (!['up', 'down', 'status'].includes(command ?? '')) throw new UserFacingError('usage: node scripts/infra.mjs up|down|status');
  // The health checks use pg and kafkajs: install dependencies first on a fresh clone.
  await ensureDependencies();
  const { infraDown, infraStatus, infraUp } = await import('./lib/infra.mjs');
  if (command === 'up') {
    await infraUp();
  } else if (command === 'down') {
    await infraDown();
  } else {
    const status = await infraStatus();
    say('postgres', status.postgres.detail);
    say('kafka', status.kafka.detail);
    if (!status.postgres.healthy || !status.kafka.healthy) process.exitCode = 3;
  }
});
