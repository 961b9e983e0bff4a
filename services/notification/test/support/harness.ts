import { randomBytes } from 'node:crypto';
import { PROTO_SERVICES, type identity, type notification, type story } from '@storytelling/contracts';
import { FixedClock } from '@storytelling/kernel';
import { createDataSource, createGrpcClient, type GrpcClient, type ServiceHandle, type ServiceTokenSource } from '@storytelling/platform';
import { serviceEnv, waitUntil } from '@storytelling/testing';
import type { DataSource } from 'typeorm';
import { createIdentityApp } from '../../../identity/src/app.js';
import { createStoryApp } from '../../../story/src/app.js';
import type { FollowerDirectory } from '../../src/application/index.js';
import { createNotificationApp } from '../../src/app.js';
import { createSandbox, type Sandbox } from './sandbox.js';
import { TestSmtpServer } from './smtp.js';

export type NotificationClient = GrpcClient<notification.NotificationServiceClient>;
export type IdentityClient = GrpcClient<identity.IdentityServiceClient>;
export type StoryClient = GrpcClient<story.StoryServiceClient>;

export const PUBLIC_WEB_URL = 'https://stories.example.test';

export interface Stack {
  sandbox: Sandbox;
  identity: ServiceHandle;
  identityClient: IdentityClient;
  story?: ServiceHandle;
  storyClient?: StoryClient;
  notification: ServiceHandle;
  client: NotificationClient;
  smtp: TestSmtpServer;
  clock: FixedClock;
  /** notification's schema. */
  ds: DataSource;
  superAdmin: { email: string; password: string };
  close(): Promise<void>;
}

export interface StackOptions {
  withStory?: boolean;
  notificationEnv?: Record<string, string>;
  serviceTokens?: ServiceTokenSource;
  followers?: FollowerDirectory;
  /** Run notification's sender loop (default true); false: the test drives DeliverySender.runOnce. */
  sender?: boolean;
}

const quiet = { LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn', HTTP_PORT: '0', GRPC_PORT: '0' };

/**
 * identity (real tokens and UserRegistered events), optionally story (real ListFollowers) and
 * notification in process, in a sandbox of their own, with a real SMTP server. notification runs
 * on a FixedClock the test moves (quiet hours, backoff), its sender polling every 50 ms.
 */
export async function startStack(name: string, options: StackOptions = {}): Promise<Stack> {
  const sandbox = await createSandbox(name, options.withStory ? ['notification', 'identity', 'story'] : ['notification', 'identity']);
  const superAdmin = { email: `root.${randomBytes(4).toString('hex')}@example.com`, password: 'root password 123' };
  const smtp = await TestSmtpServer.start();
  const closers: Array<() => Promise<void> | void> = [() => smtp.close()];
  const close = async () => {
    for (const c of closers.reverse()) await c();
  };
  try {
    const identityHandle = await createIdentityApp(
      serviceEnv('identity', {
        ...sandbox.env.identity!,
        ...quiet,
        SUPERADMIN_EMAIL: superAdmin.email,
        SUPERADMIN_PASSWORD: superAdmin.password,
        ARGON2_MEMORY_KIB: '8192',
        ARGON2_TIME_COST: '1',
        ARGON2_PARALLELISM: '1',
      }),
      { migrateOnStart: true, shutdownHooks: false },
    );
    closers.push(() => identityHandle.close());
    const identityClient = createGrpcClient<identity.IdentityServiceClient>(PROTO_SERVICES.identity, { url: identityHandle.grpcUrl!, deadlineMs: 15_000 });
    closers.push(() => identityClient.close());
    let storyHandle: ServiceHandle | undefined;
    let storyClient: StoryClient | undefined;
    if (options.withStory) {
      storyHandle = await createStoryApp(serviceEnv('story', { ...sandbox.env.story!, ...quiet, IDENTITY_GRPC_URL: identityHandle.grpcUrl!, STORY_ANALYSIS_WORKERS: '0' }), {
        migrateOnStart: true,
        shutdownHooks: false,
      });
      const handle = storyHandle;
      closers.push(() => handle.close());
      storyClient = createGrpcClient<story.StoryServiceClient>(PROTO_SERVICES.story, { url: storyHandle.grpcUrl!, deadlineMs: 15_000 });
      const client = storyClient;
      closers.push(() => client.close());
    }
    const clock = new FixedClock(new Date());
    const notificationHandle = await createNotificationApp(
      serviceEnv('notification', {
        ...sandbox.env.notification!,
        ...quiet,
        IDENTITY_GRPC_URL: identityHandle.grpcUrl!,
        STORY_GRPC_URL: storyHandle?.grpcUrl ?? '127.0.0.1:9',
        PUBLIC_WEB_URL,
        SMTP_URL: smtp.url,
        NOTIFICATION_SEND_POLL_MS: '50',
        NOTIFICATION_RETRY_BASE_MS: '60000',
        NOTIFICATION_MAX_ATTEMPTS: '3',
        NOTIFICATION_SEND_LEASE_MS: '30000',
        ...options.notificationEnv,
      }),
      {
        migrateOnStart: true,
        shutdownHooks: false,
        clock,
        consumerRetry: { attempts: 2, initialDelayMs: 50, maxDelayMs: 100 },
        ...(options.serviceTokens ? { serviceTokens: options.serviceTokens } : {}),
        ...(options.followers ? { followers: options.followers } : {}),
        ...(options.sender === false ? { sender: false } : {}),
      },
    );
    closers.push(() => notificationHandle.close());
    const client = createGrpcClient<notification.NotificationServiceClient>(PROTO_SERVICES.notification, { url: notificationHandle.grpcUrl!, deadlineMs: 15_000 });
    closers.push(() => client.close());
    const ds = createDataSource({ url: sandbox.env.notification!.DATABASE_URL, schema: sandbox.env.notification!.DATABASE_SCHEMA, poolMax: 4 }, { entities: [], migrations: [], applicationName: 'notification-test' });
    await ds.initialize();
    closers.push(() => ds.destroy());
    return {
      sandbox,
      identity: identityHandle,
      identityClient,
      ...(storyHandle ? { story: storyHandle } : {}),
      ...(storyClient ? { storyClient } : {}),
      notification: notificationHandle,
      client,
      smtp,
      clock,
      ds,
      superAdmin,
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}

export interface TestUser {
  id: string;
  email: string;
  token: string;
  displayName: string;
}

/** Registers with identity (a real UserRegistered) and waits until notification knows the recipient. */
export async function registerUser(stack: Stack, displayName: string, language = 'en'): Promise<TestUser> {
  const email = `${displayName.toLowerCase().replace(/\W/g, '') || 'user'}.${randomBytes(5).toString('hex')}@example.com`;
  const res = await stack.identityClient.register({ email, password: 'correct horse battery', displayName, language });
  const user = { id: res.user!.id, email, token: res.accessToken, displayName };
  await waitUntil(async () => ((await stack.ds.query(`SELECT 1 FROM recipients WHERE id = $1`, [user.id])) as unknown[]).length > 0, 20_000);
  return user;
}

export const as = (token: string) => ({ metadata: { authorization: `Bearer ${token}` } });

export interface DeliveryRow {
  id: string;
  channel: string;
  status: string;
  attempts: number;
  type: string;
  last_error: string | null;
  next_attempt_at: Date | null;
  source_event_id: string;
}

export async function deliveriesOf(stack: Stack, recipientId: string): Promise<DeliveryRow[]> {
  return stack.ds.query(`SELECT * FROM deliveries WHERE recipient_id = $1 ORDER BY created_at, channel`, [recipientId]);
}

export async function outboxTypes(stack: Stack, notificationId: string): Promise<string[]> {
  const rows: Array<{ type: string }> = await stack.ds.query(`SELECT type FROM domain_events WHERE aggregate_id = $1 ORDER BY version`, [notificationId]);
  return rows.map((r) => r.type);
}
