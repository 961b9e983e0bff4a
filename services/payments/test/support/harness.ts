import { randomBytes } from 'node:crypto';
import { PROTO_SERVICES, type identity, type payments } from '@storytelling/contracts';
import { uuidv7 } from '@storytelling/kernel';
import { createDataSource, createGrpcClient, runMigrations, type GrpcClient, type ServiceHandle } from '@storytelling/platform';
import { inProcessEnv, SandboxKafka, type DeadLetter } from '@storytelling/testing';
import type { DataSource } from 'typeorm';
import { startIdentity as startRunningIdentity, type RunningIdentity } from '../../../identity/test/support/app-harness.js';
import { paymentsMigrations } from '../../migrations/index.js';
import type { PaymentProvider } from '../../src/application/index.js';
import { createPaymentsApp } from '../../src/app.js';
import { PAYMENTS_ENTITIES } from '../../src/infrastructure/persistence/entities.js';
import { chargeInput } from './in-memory.js';
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
  return inProcessEnv('payments', {
    ...sandbox.env,
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
  private constructor(private readonly kafka: SandboxKafka) {}

  get deadLetters(): DeadLetter[] {
    return this.kafka.deadLetters;
  }

  static async start(sandbox: PaymentsSandbox): Promise<CommandSender> {
    const kafka = await SandboxKafka.start(sandbox, {
      clientId: 'payments-test',
      source: '/storytelling/subscription',
      deadLetters: 'dlq.payments',
      createTopics: [{ topic: 'dlq.payments', numPartitions: 1 }, { topic: 'payments.commands', numPartitions: 3 }],
    });
    return new CommandSender(kafka);
  }

  /** @returns the command's envelope id. */
  async send(type: 'charge' | 'refund', sagaId: string, data: Record<string, unknown>, options: { id?: string } = {}): Promise<string> {
    return this.kafka.publish('payments.commands', { type: `storytelling.payments.payment.${type}.v1`, subject: sagaId, data, correlationid: uuidv7(), ...options });
  }

  async sendRaw(key: string, value: string): Promise<void> {
    await this.kafka.sendRaw('payments.commands', key, value);
  }

  close(): Promise<void> {
    return this.kafka.close();
  }
}

/** identity in process (real access tokens), in the sandbox's identity schema. */
export type IdentityStack = RunningIdentity;

export function startIdentity(sandbox: PaymentsSandbox): Promise<IdentityStack> {
  return startRunningIdentity(sandbox.identityEnv);
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

/** A ChargePayment payload (fresh ids, tok_visa); tests pass the `sagaId` they send it under. */
export function chargeData(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...chargeInput(), ...overrides };
}

export { grpcOutcome as outcome } from '@storytelling/testing';
