import { randomBytes } from 'node:crypto';
import { FixedClock, uuidv7 } from '@storytelling/kernel';
import { PROTO_SERVICES, type identity, type subscription } from '@storytelling/contracts';
import { createDataSource, createGrpcClient, runMigrations, type GrpcClient, type ServiceHandle } from '@storytelling/platform';
import { serviceEnv, testEnvironment, waitUntil } from '@storytelling/testing';
import kafkajs, { type Producer } from 'kafkajs';
import pg from 'pg';
import type { DataSource } from 'typeorm';
import { createIdentityApp } from '../../../identity/src/app.js';
import { subscriptionMigrations } from '../../migrations/index.js';
import { createSubscriptionApp } from '../../src/app.js';
import { SubscriptionScheduler } from '../../src/infrastructure/scheduling/subscription-scheduler.js';

export type SubscriptionClient = GrpcClient<subscription.SubscriptionServiceClient>;
export type IdentityClient = GrpcClient<identity.IdentityServiceClient>;

interface DatabaseSandbox {
  DATABASE_URL: string;
  DATABASE_SCHEMA: string;
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

export interface Sandbox {
  subscriptionEnv: DatabaseSandbox & { KAFKA_TOPIC_PREFIX: string };
  identityEnv: DatabaseSandbox & { KAFKA_TOPIC_PREFIX: string };
  topicPrefix: string;
  topic(name: string): string;
}

/** Own schemas (subscription, identity) and topic prefix per test file: files run in parallel. */
export async function createSandbox(name: string): Promise<Sandbox> {
  const suffix = randomBytes(3).toString('hex');
  const tag = `${name.replace(/[^a-z0-9]/g, '_')}_${suffix}`;
  const [sub, idn] = await Promise.all([schemaWithRole(`subscription_${tag}`), schemaWithRole(`identity_${tag}`)]);
  const topicPrefix = `${testEnvironment().topicPrefix}sub${name.replace(/[^a-z0-9]/g, '')}${suffix}.`;
  return {
    subscriptionEnv: { ...sub, KAFKA_TOPIC_PREFIX: topicPrefix },
    identityEnv: { ...idn, KAFKA_TOPIC_PREFIX: topicPrefix },
    topicPrefix,
    topic: (logical) => `${topicPrefix}${logical}`,
  };
}

export interface RunningSubscription {
  handle: ServiceHandle;
  client: SubscriptionClient;
  scheduler: SubscriptionScheduler;
  close(): Promise<void>;
}

/** subscription in process on free ports, in the sandbox, with the given clock (scheduler loops off: tests tick). */
export async function startSubscription(sandbox: Sandbox, options: { clock: FixedClock; identityUrl?: string; env?: Record<string, string> }): Promise<RunningSubscription> {
  const env = serviceEnv('subscription', {
    ...sandbox.subscriptionEnv,
    HTTP_PORT: '0',
    GRPC_PORT: '0',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    IDENTITY_GRPC_URL: options.identityUrl ?? '127.0.0.1:9',
    SUBSCRIPTION_SCHEDULER_INTERVAL_MS: '0',
    ...options.env,
  });
  const handle = await createSubscriptionApp(env, { migrateOnStart: true, shutdownHooks: false, clock: options.clock });
  const client = createGrpcClient<subscription.SubscriptionServiceClient>(PROTO_SERVICES.subscription, { url: handle.grpcUrl!, deadlineMs: 15_000 });
  return {
    handle,
    client,
    scheduler: handle.app.get(SubscriptionScheduler, { strict: false }),
    async close() {
      client.close();
      await handle.close();
    },
  };
}

export interface RunningIdentity {
  handle: ServiceHandle;
  client: IdentityClient;
  superAdmin: { email: string; password: string };
  close(): Promise<void>;
}

export async function startIdentity(sandbox: Sandbox): Promise<RunningIdentity> {
  const superAdmin = { email: `root.${randomBytes(4).toString('hex')}@example.com`, password: 'root password 123' };
  const handle = await createIdentityApp(
    serviceEnv('identity', {
      SUPERADMIN_EMAIL: superAdmin.email,
      SUPERADMIN_PASSWORD: superAdmin.password,
      ...sandbox.identityEnv,
      HTTP_PORT: '0',
      GRPC_PORT: '0',
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
      ARGON2_MEMORY_KIB: '8192',
      ARGON2_TIME_COST: '1',
      ARGON2_PARALLELISM: '1',
    }),
    { migrateOnStart: true, shutdownHooks: false },
  );
  const client = createGrpcClient<identity.IdentityServiceClient>(PROTO_SERVICES.identity, { url: handle.grpcUrl!, deadlineMs: 15_000 });
  return {
    handle,
    client,
    superAdmin,
    async close() {
      client.close();
      await handle.close();
    },
  };
}

/** A DataSource on the sandbox's subscription schema, for assertions. */
export async function subscriptionDataSource(sandbox: Sandbox): Promise<DataSource> {
  const ds = createDataSource({ url: sandbox.subscriptionEnv.DATABASE_URL, schema: sandbox.subscriptionEnv.DATABASE_SCHEMA, poolMax: 4 }, { migrations: subscriptionMigrations, applicationName: 'subscription-test' });
  await ds.initialize();
  await runMigrations(ds);
  return ds;
}

export interface TestUser {
  id: string;
  token: string;
}

/** Registers with identity and waits until subscription's ACL created the free subscription. */
export async function registerUser(idn: RunningIdentity, ds: DataSource, name = 'Ann'): Promise<TestUser> {
  const res = await idn.client.register({ email: `${name.toLowerCase()}.${randomBytes(5).toString('hex')}@example.com`, password: 'correct horse battery', displayName: name });
  const user = { id: res.user!.id, token: res.accessToken };
  await waitUntil(async () => ((await ds.query(`SELECT 1 FROM subscriptions WHERE user_id = $1`, [user.id])) as unknown[]).length > 0, 20_000);
  return user;
}

export const as = (user: TestUser, extra: Record<string, string> = {}) => ({ metadata: { authorization: `Bearer ${user.token}`, ...extra } });

/** Publishes CloudEvents into the sandbox's topics, as other services' relays would. */
export class Publisher {
  private constructor(
    private readonly producer: Producer,
    private readonly sandbox: Sandbox,
  ) {}

  static async start(sandbox: Sandbox): Promise<Publisher> {
    const kafka = new kafkajs.Kafka({ clientId: 'subscription-test', brokers: testEnvironment().brokers, logLevel: kafkajs.logLevel.NOTHING });
    const producer = kafka.producer();
    await producer.connect();
    return new Publisher(producer, sandbox);
  }

  async publish(
    topic: string,
    event: { type: string; subject: string; data: Record<string, unknown>; source?: string; id?: string; version?: number; correlationid?: string; causationid?: string; time?: string },
  ): Promise<string> {
    const id = event.id ?? uuidv7();
    const envelope = {
      specversion: '1.0',
      id,
      source: event.source ?? '/storytelling/test',
      type: event.type,
      subject: event.subject,
      time: event.time ?? new Date().toISOString(),
      datacontenttype: 'application/json',
      data: event.data,
      aggregateversion: event.version ?? 1,
      correlationid: event.correlationid ?? id,
      ...(event.causationid ? { causationid: event.causationid } : {}),
    };
    await this.raw(topic, event.subject, JSON.stringify(envelope));
    return id;
  }

  async raw(topic: string, key: string, value: string): Promise<void> {
    await this.producer.send({ topic: this.sandbox.topic(topic), messages: [{ key, value, headers: { 'content-type': 'application/cloudevents+json; charset=utf-8' } }] });
  }

  async close(): Promise<void> {
    await this.producer.disconnect();
  }
}

export async function processed(ds: DataSource, eventId: string): Promise<void> {
  await waitUntil(async () => ((await ds.query(`SELECT 1 FROM inbox_messages WHERE event_id = $1`, [eventId])) as unknown[]).length > 0, 20_000);
}

export function registeredEvent(userId: string, registeredAt = new Date()) {
  return {
    type: 'storytelling.identity.user.registered.v1',
    subject: userId,
    source: '/storytelling/identity',
    data: { userId, email: `${userId}@example.com`, displayName: 'Someone', language: 'en', role: 'member', registeredAt: registeredAt.toISOString() },
  };
}

export { grpcOutcome as outcome } from '@storytelling/testing';
