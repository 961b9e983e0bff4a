import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { testEnvironment } from './test-environment.js';

/** A service's connection to its sandbox schema: what its DATABASE_URL / DATABASE_SCHEMA become. */
// A type, not an interface: it spreads into a Record<string, string> environment.
export type DatabaseSandbox = {
  DATABASE_URL: string;
  DATABASE_SCHEMA: string;
};

/** DATABASE_URL / DATABASE_SCHEMA / KAFKA_TOPIC_PREFIX for one service process in a sandbox. */
export type ServiceSandboxEnv = DatabaseSandbox & { KAFKA_TOPIC_PREFIX: string };

async function withAdmin<T>(work: (admin: pg.Client) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: testEnvironment().adminUrl });
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.end();
  }
}

/**
 * A login role owning exactly one schema of the same name (the shape every service gets), in this
 * run's database. `ident` must be a plain lower-case identifier (it is interpolated into DDL).
 */
export async function schemaWithRole(ident: string): Promise<DatabaseSandbox> {
  const password = randomBytes(12).toString('hex');
  await withAdmin(async (admin) => {
    await admin.query(`CREATE ROLE ${ident} LOGIN PASSWORD '${password}'`);
    await admin.query(`CREATE SCHEMA ${ident} AUTHORIZATION ${ident}`);
    const [db] = (await admin.query<{ name: string }>(`SELECT current_database() AS name`)).rows;
    // Concurrent GRANTs on one database (parallel test files) can fail with "tuple concurrently updated".
    for (let attempt = 1; ; attempt++) {
      try {
        await admin.query(`GRANT CONNECT ON DATABASE "${db!.name}" TO ${ident}`);
        break;
      } catch (err) {
        if (attempt >= 10 || !String(err).includes('concurrently updated')) throw err;
        await sleep(50 * attempt);
      }
    }
  });
  const url = new URL(testEnvironment().adminUrl);
  url.username = ident;
  url.password = password;
  return { DATABASE_URL: url.toString(), DATABASE_SCHEMA: ident };
}

/** Ends the role's sessions and drops its schema and the role (for fixtures that clean up after themselves). */
export async function dropSchemaWithRole(ident: string): Promise<void> {
  await withAdmin(async (admin) => {
    await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1`, [ident]);
    await admin.query(`DROP SCHEMA IF EXISTS ${ident} CASCADE`);
    await admin.query(`DROP OWNED BY ${ident}`);
    await admin.query(`DROP ROLE IF EXISTS ${ident}`);
  });
}

export interface ServiceSandbox<S extends string> {
  /** The environment of each service's process in this sandbox (same topic prefix for all). */
  env: Record<S, ServiceSandboxEnv>;
  /** `<run prefix><tag><name><suffix>.`: every topic and consumer group of this sandbox starts with it. */
  topicPrefix: string;
  /** The physical name of a logical topic in this sandbox. */
  topic(logical: string): string;
}

export interface ServiceSandboxOptions {
  /** Put before the name in the topic prefix (e.g. `pay`), to tell one service's sandboxes apart in the broker. */
  topicTag?: string;
}

/**
 * Schemas with their own roles (`<service>_<name>_<suffix>`, like the real ones) for the given
 * services and one topic prefix of their own, inside this test run's database and Kafka. Test
 * files run in parallel: each sandbox has its own consumer groups, relay locks, outboxes and job
 * tables, so one file's workers never see another file's rows or events.
 */
export async function createServiceSandbox<S extends string>(name: string, services: readonly S[], options: ServiceSandboxOptions = {}): Promise<ServiceSandbox<S>> {
  const suffix = randomBytes(3).toString('hex');
  const tag = `${name.replace(/[^a-z0-9]/g, '_')}_${suffix}`;
  const topicPrefix = `${testEnvironment().topicPrefix}${options.topicTag ?? ''}${name.replace(/[^a-z0-9]/g, '')}${suffix}.`;
  const schemas = await Promise.all(services.map((service) => schemaWithRole(`${service}_${tag}`)));
  const env = Object.fromEntries(services.map((service, i) => [service, { ...schemas[i]!, KAFKA_TOPIC_PREFIX: topicPrefix }])) as Record<S, ServiceSandboxEnv>;
  return { env, topicPrefix, topic: (logical) => `${topicPrefix}${logical}` };
}
