import { randomBytes } from 'node:crypto';
import { testEnvironment } from '@storytelling/testing';
import pg from 'pg';

export interface DatabaseSandbox {
  DATABASE_URL: string;
  DATABASE_SCHEMA: string;
  KAFKA_TOPIC_PREFIX: string;
}

/** A role owning exactly one schema (the shape every service gets), in this run's database. */
async function schemaWithRole(ident: string, topicPrefix: string): Promise<DatabaseSandbox> {
  const env = testEnvironment();
  const password = randomBytes(12).toString('hex');
  const admin = new pg.Client({ connectionString: env.adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE ROLE ${ident} LOGIN PASSWORD '${password}'`);
    await admin.query(`CREATE SCHEMA ${ident} AUTHORIZATION ${ident}`);
    const [db] = (await admin.query<{ name: string }>(`SELECT current_database() AS name`)).rows;
    await admin.query(`GRANT CONNECT ON DATABASE "${db!.name}" TO ${ident}`);
  } finally {
    await admin.end();
  }
  const url = new URL(env.adminUrl);
  url.username = ident;
  url.password = password;
  return { DATABASE_URL: url.toString(), DATABASE_SCHEMA: ident, KAFKA_TOPIC_PREFIX: topicPrefix };
}

export interface Sandbox {
  /** DATABASE_URL / DATABASE_SCHEMA / KAFKA_TOPIC_PREFIX per service name. */
  env: Record<string, DatabaseSandbox>;
  topicPrefix: string;
  topic(logical: string): string;
}

/**
 * Schemas (own roles) for the given services and one topic prefix of their own in this run's
 * database and Kafka: test files run in parallel without sharing consumer groups or outboxes.
 */
export async function createSandbox(name: string, services: readonly string[]): Promise<Sandbox> {
  const suffix = randomBytes(3).toString('hex');
  const tag = `${name.replace(/[^a-z0-9]/g, '_')}_${suffix}`;
  const topicPrefix = `${testEnvironment().topicPrefix}${name.replace(/[^a-z0-9]/g, '')}${suffix}.`;
  const env: Record<string, DatabaseSandbox> = {};
  for (const service of services) env[service] = await schemaWithRole(`${service}_${tag}`, topicPrefix);
  return { env, topicPrefix, topic: (logical) => `${topicPrefix}${logical}` };
}
