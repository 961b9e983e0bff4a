import { randomBytes } from 'node:crypto';
import { PROTO_SERVICES, type identity, type notification, type story } from '@storytelling/contracts';
import { FixedClock } from '@storytelling/kernel';
import { createDataSource, type GrpcClient, type ServiceHandle, type ServiceTokenSource } from '@storytelling/platform';
import { startInProcess, waitUntil, type InProcessService } from '@storytelling/testing';
import type { DataSource } from 'typeorm';
import { startIdentity } from '../../../identity/test/support/app-harness.js';
import { createStoryApp } from '../../../story/src/app.js';
import type { FollowerDirectory } from '../../src/application/index.js';
import { createNotificationApp, type CreateNotificationAppOptions } from '../../src/app.js';
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
  /** Run notification's sender loop (default true); false: the test runs SendDueDeliveriesCommand. */
  sender?: boolean;
}

/**
 * identity (real tokens and UserRegistered events), optionally story (real ListFollowers) and
 * notification in process, in a sandbox of their own, with a real SMTP server. notification runs
 * on a FixedClock the test moves (quiet hours, backoff), its sender polling every 50 ms.
 */
export async function startStack(name: string, options: StackOptions = {}): Promise<Stack> {
  const sandbox = await createSandbox(name, options.withStory ? ['notification', 'identity', 'story'] : ['notification', 'identity']);
  const smtp = await TestSmtpServer.start();
  const closers: Array<() => Promise<void> | void> = [() => smtp.close()];
  const close = async () => {
    for (const c of closers.reverse()) await c();
  };
  try {
    const identity = await startIdentity(sandbox.env.identity!);
    closers.push(() => identity.close());
    let storyApp: InProcessService<story.StoryServiceClient> | undefined;
    if (options.withStory) {
      const started = await startInProcess<story.StoryServiceClient>('story', PROTO_SERVICES.story, createStoryApp, { ...sandbox.env.story!, IDENTITY_GRPC_URL: identity.handle.grpcUrl!, STORY_ANALYSIS_WORKERS: '0' });
      closers.push(() => started.close());
      storyApp = started;
    }
    const clock = new FixedClock(new Date());
    const notificationApp = await startInProcess<notification.NotificationServiceClient, CreateNotificationAppOptions>(
      'notification',
      PROTO_SERVICES.notification,
      createNotificationApp,
      {
        ...sandbox.env.notification!,
        IDENTITY_GRPC_URL: identity.handle.grpcUrl!,
        STORY_GRPC_URL: storyApp?.handle.grpcUrl ?? '127.0.0.1:9',
        PUBLIC_WEB_URL,
        SMTP_URL: smtp.url,
        NOTIFICATION_SEND_POLL_MS: '50',
        NOTIFICATION_RETRY_BASE_MS: '60000',
        NOTIFICATION_MAX_ATTEMPTS: '3',
        NOTIFICATION_SEND_LEASE_MS: '30000',
        ...options.notificationEnv,
      },
      {
        clock,
        consumerRetry: { attempts: 2, initialDelayMs: 50, maxDelayMs: 100 },
        ...(options.serviceTokens ? { serviceTokens: options.serviceTokens } : {}),
        ...(options.followers ? { followers: options.followers } : {}),
        ...(options.sender === false ? { sender: false } : {}),
      },
    );
    closers.push(() => notificationApp.close());
    const ds = createDataSource({ url: sandbox.env.notification!.DATABASE_URL, schema: sandbox.env.notification!.DATABASE_SCHEMA, poolMax: 4 }, { entities: [], migrations: [], applicationName: 'notification-test' });
    await ds.initialize();
    closers.push(() => ds.destroy());
    return {
      sandbox,
      identity: identity.handle,
      identityClient: identity.client,
      ...(storyApp ? { story: storyApp.handle, storyClient: storyApp.client } : {}),
      notification: notificationApp.handle,
      client: notificationApp.client,
      smtp,
      clock,
      ds,
      superAdmin: identity.superAdmin,
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
