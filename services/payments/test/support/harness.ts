import { randomBytes } from 'node:crypto';
import { PROTO_SERVICES, type identity, type payments } from '@storytelling/contracts';
import { uuidv7 } from '@storytelling/kernel';
import { createDataSource, createGrpcClient, runMigrations, type GrpcClient, type ServiceHandle } from '@storytelling/platform';
import { serviceEnv, testEnvironment } from '@storytelling/testing';
import kafkajs, { type Consumer, type Producer } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { createIdentityApp } from '../../../identity/src/app.js';
import { paymentsMigrations } from '../../migrations/index.js';
import type { PaymentProvider } from '../../src/application/index.js';
import { createPaymentsApp } from '../../src/app.js';
import { PAYMENTS_ENTITIES } from '../../src/infrastructure/persistence/entities.js';
import type { PaymentsSandbox } from './sandbox.js';

export type PaymentsClient = GrpcClient<payments.PaymentsServiceClient>;
export type IdentityClient = GrpcClient<identity.IdentityServiceClient>;

export const SANDBOX_WEBHOOK_SECRET = 'whsec_test_sandbox_0123456789';

export interface PaymentsEnvOptions {
  env?: Record<string, string>;
  provider?: PaymentProvider;
  retry?: { attempts?: number; initialDelayMs?: number; maxDelayMs?: number };
}

export function paymentsEnv(sandbox: PaymentsSandbox, identityUrl: string, extra: Record<string, string> = {}): Record<string, string> {
  return serviceEnv('payments', {
    ...sandbox.env,
    HTTP_PORT: '0',
    GRPC_PORT: '0',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    IDENTITY_GRPC_URL: identityUrl,
    SANDBOX_WEBHOOK_SECRET,
    ...extra,
  });
}

/** payments in process against its sandbox schema and topics (migrated on start). */
export async function startPayments(sandbox: PaymentsSandbox, identityUrl: string, options: PaymentsEnvOptions = {}): Promise<ServiceHandle> {
  return createPaymentsApp(paymentsEnv(sandbox, identityUrl, options.env), {
    migrateOnStart: true,
    shutdownHooks: false,
    ...(options.provider ? { provider: options.provider } : {}),
    retry: { initialDelayMs: 20, maxDelayMs: 100, ...options.retry },
  });
}

export async function paymentsDataSource(sandbox: PaymentsSandbox): Promise<DataSource> {
  const ds = createDataSource({ url: sandbox.env.DATABASE_URL, schema: sandbox.env.DATABASE_SCHEMA, poolMax: 5 }, {
    entities: PAYMENTS_ENTITIES,
    migrations: paymentsMigrations,
    applicationName: 'payments-test',
  });
  await ds.initialize();
  await runMigrations(ds);
  return ds;
}

export function paymentsClient(handle: ServiceHandle): PaymentsClient {
  return createGrpcClient<payments.PaymentsServiceClient>(PROTO_SERVICES.payments, { url: handle.grpcUrl!, deadlineMs: 15_000 });
}

/** Sends commands to `payments.commands` as a saga's relay would (CloudEvent, key = saga id) and reads dlq.payments. */
export class CommandSender {
  readonly deadLetters: Array<{ value: string; headers: Record<string, string> }> = [];
  private constructor(
    private readonly producer: Producer,
    private readonly dlq: Consumer,
    private readonly sandbox: PaymentsSandbox,
  ) {}

  static async start(sandbox: PaymentsSandbox): Promise<CommandSender> {
    const kafka = new kafkajs.Kafka({ clientId: 'payments-test', brokers: testEnvironment().brokers, logLevel: kafkajs.logLevel.NOTHING });
    const producer = kafka.producer();
    await producer.connect();
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: sandbox.topic('dlq.payments'), numPartitions: 1 }, { topic: sandbox.topic('payments.commands'), numPartitions: 3 }] }).catch(() => undefined);
    await admin.disconnect();
    const dlq = kafka.consumer({ groupId: `${sandbox.topicPrefix}dlq-reader`, maxWaitTimeInMs: 100 });
    const sender = new CommandSender(producer, dlq, sandbox);
    await dlq.connect();
    await dlq.subscribe({ topic: sandbox.topic('dlq.payments'), fromBeginning: true });
    await dlq.run({
      eachMessage: async ({ message }) => {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(message.headers ?? {})) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(',') : v.toString();
        sender.deadLetters.push({ value: message.value?.toString() ?? '', headers });
      },
    });
    return sender;
  }

  /** @returns the command's envelope id. */
  async send(type: 'charge' | 'refund', sagaId: string, data: Record<string, unknown>, options: { id?: string } = {}): Promise<string> {
    const id = options.id ?? uuidv7();
    const fullType = `storytelling.payments.payment.${type}.v1`;
    const envelope = {
      specversion: '1.0',
      id,
      source: '/storytelling/subscription',
      type: fullType,
      subject: sagaId,
      time: new Date().toISOString(),
      datacontenttype: 'application/json',
      data,
      aggregateversion: 1,
      correlationid: uuidv7(),
    };
    await this.sendRaw(sagaId, JSON.stringify(envelope));
    return id;
  }

  async sendRaw(key: string, value: string): Promise<void> {
    await this.producer.send({
      topic: this.sandbox.topic('payments.commands'),
      messages: [{ key, value, headers: { 'content-type': 'application/cloudevents+json; charset=utf-8' } }],
    });
  }

  async close(): Promise<void> {
    await this.dlq.disconnect();
    await this.producer.disconnect();
  }
}

export interface IdentityStack {
  handle: ServiceHandle;
  client: IdentityClient;
  /** identity's first super-admin (SUPERADMIN_EMAIL / SUPERADMIN_PASSWORD). */
  superAdmin: { email: string; password: string };
  close(): Promise<void>;
}

/** identity in process (for real access tokens), in the sandbox's identity schema. */
export async function startIdentity(sandbox: PaymentsSandbox): Promise<IdentityStack> {
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

export interface TestUser {
  id: string;
  token: string;
}

export async function registerUser(identityClient: IdentityClient, name = 'payer'): Promise<TestUser> {
  const res = await identityClient.register({ email: `${name}.${randomBytes(5).toString('hex')}@example.com`, password: 'correct horse battery', displayName: name });
  return { id: res.user!.id, token: res.accessToken };
}

export const as = (user: TestUser) => ({ metadata: { authorization: `Bearer ${user.token}` } });

export function chargeData(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    paymentId: uuidv7(),
    userId: uuidv7(),
    subscriptionId: uuidv7(),
    amountMinor: '999',
    currency: 'USD',
    paymentMethod: 'tok_visa',
    description: 'silver, monthly',
    ...overrides,
  };
}

export { grpcOutcome as outcome } from '@storytelling/testing';
