import { randomBytes } from 'node:crypto';
import { FixedClock } from '@storytelling/kernel';
import { PROTO_SERVICES, type identity, type subscription } from '@storytelling/contracts';
import { createDataSource, runMigrations, type GrpcClient, type ServiceHandle } from '@storytelling/platform';
import { createServiceSandbox, SandboxKafka, startInProcess, waitUntil, type ServiceSandboxEnv } from '@storytelling/testing';
import type { DataSource } from 'typeorm';
import { startIdentity as startRunningIdentity, type RunningIdentity } from '../../../identity/test/support/app-harness.js';
import { subscriptionMigrations } from '../../migrations/index.js';
import { createSubscriptionApp } from '../../src/app.js';
import { SubscriptionSchedulerWorker } from '../../src/infrastructure/workers/subscription-scheduler.worker.js';

export type SubscriptionClient = GrpcClient<subscription.SubscriptionServiceClient>;
export type IdentityClient = GrpcClient<identity.IdentityServiceClient>;

export interface Sandbox {
  subscriptionEnv: ServiceSandboxEnv;
  identityEnv: ServiceSandboxEnv;
  topicPrefix: string;
  topic(name: string): string;
}

/** Own schemas (subscription, identity) and topic prefix per test file: files run in parallel. */
export async function createSandbox(name: string): Promise<Sandbox> {
  const { env, topicPrefix, topic } = await createServiceSandbox(name, ['subscription', 'identity'], { topicTag: 'sub' });
  return { subscriptionEnv: env.subscription, identityEnv: env.identity, topicPrefix, topic };
}

export interface RunningSubscription {
  handle: ServiceHandle;
  client: SubscriptionClient;
  scheduler: SubscriptionSchedulerWorker;
  close(): Promise<void>;
}

/** subscription in process on free ports, in the sandbox, with the given clock (scheduler loops off: tests tick). */
export async function startSubscription(sandbox: Sandbox, options: { clock: FixedClock; identityUrl?: string; env?: Record<string, string> }): Promise<RunningSubscription> {
  const running = await startInProcess<subscription.SubscriptionServiceClient, { clock: FixedClock }>(
    'subscription',
    PROTO_SERVICES.subscription,
    createSubscriptionApp,
    { ...sandbox.subscriptionEnv, IDENTITY_GRPC_URL: options.identityUrl ?? '127.0.0.1:9', SUBSCRIPTION_SCHEDULER_INTERVAL_MS: '0', ...options.env },
    { clock: options.clock },
  );
  return { handle: running.handle, client: running.client, scheduler: running.handle.app.get(SubscriptionSchedulerWorker, { strict: false }), close: () => running.close() };
}

export type { RunningIdentity };

/** identity in process (real tokens and UserRegistered events), in the sandbox's identity schema. */
export function startIdentity(sandbox: Sandbox): Promise<RunningIdentity> {
  return startRunningIdentity(sandbox.identityEnv);
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

/** Publishes CloudEvents into the sandbox's topics, as other services' relays would (`raw`: any bytes). */
export type Publisher = SandboxKafka & { raw: SandboxKafka['sendRaw'] };
export const Publisher = {
  async start(sandbox: Sandbox): Promise<Publisher> {
    const kafka = await SandboxKafka.start(sandbox, { clientId: 'subscription-test', source: '/storytelling/test' });
    return Object.assign(kafka, { raw: kafka.sendRaw.bind(kafka) });
  },
};

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
