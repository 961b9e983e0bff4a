#!/usr/bin/env node
// npm run bootstrap [-- --build]: installs what a fresh clone is missing (pnpm, dependencies,
// generated contracts, Kafka jars, PostgreSQL binaries); --build also compiles (tsc -b).
// Node built-ins only: it runs before dependencies exist.
import { runCli } from './lib/log.mjs';
import { bootstrap } from './lib/bootstrap-steps.mjs';

await runCli(() => bootstrap({ build: process.argv.includes('--build') }));
