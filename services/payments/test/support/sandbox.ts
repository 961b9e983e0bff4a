import { randomBytes } from 'node:crypto';
import { testEnvironment } from '@storytelling/testing';
import pg from 'pg';

export interface DatabaseSandbox {
  DATABASE_URL: string;
  DATABASE_SCHEMA: string;
}

export interface PaymentsSandbox {
  /** DATABASE_URL / DATABASE_SCHEMA / KAFKA_TOPIC_PREFIX for a payments process in this sandbox. */
  env: DatabaseSandbox & { KAFKA_TOPIC_PREFIX: string };
  /** The same for an identity process (tokens for the query tests). */
  identityEnv: DatabaseSandbox & { KAFKA_TOPIC_PREFIX: string };
  topicPrefix: string;
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
    // Concurrent GRANTs on one database (parallel test files) can fail with "tuple concurrently updated".
    for (let attempt = 1; ; attempt++) {
      try {
        await admin.query(`GRANT CONNECT ON DATABASE "${db!.name}" TO ${ident}`);
        break;
      } catch (err) {
        if (attempt >= 10 || !String(err).includes('concurrently updated')) throw err;
        await new Promise((r) => setTimeout(r, 50 * attempt));
      }
    }
  } finally {
    await admin.end();
  }
  const url = new URL(env.adminUrl);
  url.username = ident;
  url.password = password;
  return { DATABASE_URL: url.toString(), DATABASE_SCHEMA: ident };
}

/**
 * Schemas for payments and identity (own roles, like the real ones) and a topic prefix of their
 * own: test files run in parallel and each gets its own consumer groups, relay lock and topics.
 */
export async function createPaymentsSandbox(name: string): Promise<PaymentsSandbox> {
  const suffix = randomBytes(3).toString('hex');
  const tag = `${name.replace(/[^a-z0-9]/g, '_')}_${suffix}`;
  const payments = await schemaWithRole(`payments_${tag}`);
  const identity = await schemaWithRole(`identity_${tag}`);
  const topicPrefix = `${testEnvironment().topicPrefix}pay${name.replace(/[^a-z0-9]/g, '')}${suffix}.`;
  return {
    env: { ...payments, KAFKA_TOPIC_PREFIX: topicPrefix },
    identityEnv: { ...identity, KAFKA_TOPIC_PREFIX: topicPrefix },
    topicPrefix,
    topic: (logical) => `${topicPrefix}${logical}`,
  };
}
