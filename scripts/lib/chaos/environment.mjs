// The chaos run's own world: a data root under .data/chaos (its own PostgreSQL cluster, Kafka log,
// keys, secrets and service logs), PostgreSQL and Kafka on free ports, and the fleet's database
// provisioned and migrated in it. Nothing here touches the developer's .data or the ports the
// shared infrastructure uses; the chaos run must be free to restart its broker.
import { existsSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { say } from '../log.mjs';
import { freePort } from '../net.mjs';
import { repoRoot } from '../paths.mjs';

export const CHAOS_ROOT = join(repoRoot, '.data', 'chaos');

/**
 * Points every scripts/lib helper at the chaos data root and fresh ports (they read the
 * environment on each call). Must run before infra is started. A run starts from an empty
 * state so that its checks see only its own traffic; the Kafka jars are shared with the
 * checkout's own broker when they are already resolved (a link, not a copy).
 */
export async function isolate() {
  for (const name of ['postgres', 'kafka/data', 'kafka/server.properties', 'logs', 'run', 'keys', 'secrets.json', 'objects', 'mail', 'sms']) {
    rmSync(join(CHAOS_ROOT, name), { recursive: true, force: true });
  }
  mkdirSync(join(CHAOS_ROOT, 'kafka'), { recursive: true });
  const sharedLibs = join(repoRoot, '.data', 'kafka', 'libs');
  const ownLibs = join(CHAOS_ROOT, 'kafka', 'libs');
  if (!existsSync(ownLibs) && existsSync(join(sharedLibs, '.resolved'))) symlinkSync(sharedLibs, ownLibs);
  process.env.STORYTELLING_DATA_DIR = CHAOS_ROOT;
  delete process.env.STORYTELLING_INFRA_DIR; // the servers' data follows the data root (paths.mjs)
  // External servers would be shared with others: the chaos run always starts its own.
  delete process.env.DATABASE_ADMIN_URL;
  delete process.env.KAFKA_BROKERS;
  process.env.PG_PORT = String(await freePort());
  process.env.KAFKA_PORT = String(await freePort());
  process.env.KAFKA_CONTROLLER_PORT = String(await freePort());
  say('chaos', `data ${CHAOS_ROOT.slice(repoRoot.length + 1)}, PostgreSQL :${process.env.PG_PORT}, Kafka :${process.env.KAFKA_PORT}`);
}

/**
 * PostgreSQL and Kafka up, the fleet's database provisioned, migrations run.
 * @returns {Promise<{ databaseName: string, brokers: string[], adminUrl: string }>}
 */
export async function prepareInfrastructure() {
  const { infraUp } = await import('../infra.mjs');
  const { ensureDatabase, provisionServices, adminUrl } = await import('../provisioning.mjs');
  const { readFleet } = await import('../fleet-manifest.mjs');
  const { ensureIdentityKey } = await import('../identity-keys.mjs');
  const { runMigrations } = await import('../fleet-launcher.mjs');
  const infra = await infraUp();
  const databaseName = readFleet().database;
  await ensureDatabase(databaseName);
  await provisionServices(databaseName);
  ensureIdentityKey();
  const target = { databaseName, brokers: infra.kafka.brokers };
  await runMigrations(target);
  return { ...target, adminUrl: adminUrl(databaseName) };
}
