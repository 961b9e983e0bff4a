// The fleet in the foreground (npm start after its bootstrap, `node scripts/fleet.mjs up`):
// infrastructure up, database provisioned, migrations, every service started and ready, then wait
// for Ctrl-C / SIGTERM and stop the services (not the infrastructure).
import { relative } from 'node:path';
import { say, warn } from './log.mjs';
import { infraUp } from './infra.mjs';
import { ensureDatabase, provisionServices } from './provisioning.mjs';
import { readFleet } from './fleet-manifest.mjs';
import { runMigrations, startFleet, stopFleet } from './fleet-launcher.mjs';
import { LOCAL_OIDC, localOidcClientSecret, superadminCredentials } from './service-env.mjs';
import { DEV_ACCOUNTS, startLocalOidcProvider } from './local-oidc-provider.mjs';
import { ensureIdentityKey } from './identity-keys.mjs';
import { dataPaths, repoRoot } from './paths.mjs';

/** Resolves when the fleet has been stopped (signal, or every service exited). */
export async function runFleetInForeground() {
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

  // A real OpenID provider for `GET /api/v1/auth/oidc/local/start` (dev accounts below), in this process.
  const oidc = await startLocalOidcProvider({
    port: LOCAL_OIDC.port,
    issuer: LOCAL_OIDC.issuer,
    clients: [{ clientId: LOCAL_OIDC.clientId, clientSecret: localOidcClientSecret(), redirectUris: [LOCAL_OIDC.redirectUri] }],
  });

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
  OIDC       ${base}/api/v1/auth/oidc/local/start (local provider ${oidc.issuer}; ${DEV_ACCOUNTS.map((a) => `${a.email} / ${a.password}`).join(', ')})

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
      await oidc.close();
      resolvePromise(undefined);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
