import { randomBytes } from 'node:crypto';
import { testEnvironment } from '@storytelling/testing';
import pg from 'pg';

export interface DatabaseSandbox {
  DATABASE_URL: string;
  DATABASE_SCHEMA: string;
}

export interface StorySandbox {
  /** DATABASE_URL / DATABASE_SCHEMA / KAFKA_TOPIC_PREFIX for a story process in this sandbox. */
  env: DatabaseSandbox & { KAFKA_TOPIC_PREFIX: string };
  /** The same for an identity process publishing into this sandbox. */
  identityEnv: DatabaseSandbox & { KAFKA_TOPIC_PREFIX: string };
  topicPrefix: string;
  /** The physical name of a logical topic in this sandbox. */
  topic(name: string): string;
}

/** A role owning exactly one schema (the shape every service gets), in this run's database. */
async function schemaWithRole(ident: string): Promise<DatabaseSandbox> {
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
  return { DATABASE_URL: url.toString(), DATABASE_SCHEMA: ident };
}

/**
 * Schemas for story and identity (own roles, like the real ones) and a topic prefix of their
 * own, inside this test run's database and Kafka. Test files run in parallel: each gets its own
 * consumer groups, relay locks (identity's outbox too, so its events go out under THIS prefix)
 * and analysis job table, so one file's workers never take another file's jobs.
 */
export async function createStorySandbox(name: string): Promise<StorySandbox> {
  const suffix = randomBytes(3).toString('hex');
  const tag = `${name.replace(/[^a-z0-9]/g, '_')}_${suffix}`;
  const [story, identity] = await Promise.all([schemaWithRole(`story_${tag}`), schemaWithRole(`identity_${tag}`)]);
  const topicPrefix = `${testEnvironment().topicPrefix}${name.replace(/[^a-z0-9]/g, '')}${suffix}.`;
  return {
    env: { ...story, KAFKA_TOPIC_PREFIX: topicPrefix },
    identityEnv: { ...identity, KAFKA_TOPIC_PREFIX: topicPrefix },
    topicPrefix,
    topic: (logical) => `${topicPrefix}${logical}`,
  };
}
