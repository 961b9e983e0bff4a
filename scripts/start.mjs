#!/usr/bin/env node
// npm start: everything a new user needs, in the foreground. Installs what is missing and
// builds, starts PostgreSQL and Kafka (or reuses them), provisions each service's role and
// schema, migrates, starts every service and the gateway, prints where the API is.
// Ctrl-C / SIGTERM stops the fleet; the infrastructure keeps running (`npm run infra:down`).
import { relative } from 'node:path';
import { runCli, say, warn } from './lib/log.mjs';
import { bootstrap } from './lib/bootstrap-steps.mjs';
import { dataPaths, repoRoot } from './lib/paths.mjs';

await runCli(async () => {
  await bootstrap({ build: true });
  // Imported after bootstrap: these need the installed dependencies (pg, kafkajs).
  const { infraUp } = await import('./lib/infra.mjs');
  const { ensureDatabase, provisionServices } = await import('./lib/provisioning.mjs');
  const { readFleet } = await import('./lib/fleet-manifest.mjs');
  const { runMigrations, startFleet, stopFleet } = await import('./lib/fleet-launcher.mjs');
  const { superadminCredentials } = await import('./lib/service-env.mjs');
  const { ensureIdentityKey } = await import('./lib/identity-keys.mjs');

  const infra = await infraUp();
  const fleet = readFleet();
  const { created } = await ensureDatabase(fleet.database);
  const owners = await provisionServices(fleet.database);
  say('database', `${fleet.database}${created ? ' created' : ''}; roles and schemas: ${owners.map((o) => o.name).join(', ') || 'none'}`);
  const key = ensureIdentityKey();
  if (key.created) say('identity', `signing key generated: ${relative(repoRoot, key.file)} (kid ${key.keyId})`);
  const admin = superadminCredentials();
  // Printed the moment it is generated (once), whatever happens later in this run.
  if (admin.created) say('identity', `super-admin ${admin.email}, password ${admin.password} (shown once; kept in .data/secrets.json)`);

  const target = { databaseName: fleet.database, brokers: infra.kafka.brokers };
  await runMigrations(target);

  let stopping = false;
  const exited = new Set();
  const started = await startFleet({
    ...target,
    onExit: (service, code) => {
      exited.add(service);
      if (!stopping) warn('fleet', `${service} exited (code ${code}); see ${relative(repoRoot, dataPaths().logs)}/${service}.log`);
    },
  });
  if (started.length === 0) {
    warn('fleet', 'no service is built yet (services/<name>/dist/src/main.js); nothing to run');
    return;
  }

  const gateway = fleet.services.find((s) => s.name === 'gateway');
  const base = `http://127.0.0.1:${gateway?.httpPort ?? 8080}`;
  process.stdout.write(`
  API        ${base}/api/v1
  API docs   ${base}/docs
  logs       ${relative(process.cwd(), dataPaths().logs) || '.'}/
  admin      ${admin.email} (password in .data/secrets.json, "superadmin:password")

  Ctrl-C stops the services; PostgreSQL and Kafka keep running (npm run infra:down).
`);

  await new Promise((resolvePromise) => {
    // The services are detached and unref'd: without this timer nothing would keep us in the
    // foreground. It also ends the run when every service has died.
    const watch = setInterval(() => {
      if (exited.size === started.length) {
        warn('fleet', 'every service has exited');
        process.exitCode = 1;
        void stop();
      }
    }, 1000);
    const stop = async () => {
      if (stopping) return;
      stopping = true;
      clearInterval(watch);
      process.stdout.write('\n');
      await stopFleet();
      resolvePromise(undefined);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
});
