import { randomBytes } from 'node:crypto';
import { PROTO_SERVICES, type identity, type story } from '@storytelling/contracts';
import type { GrpcClient, ServiceHandle } from '@storytelling/platform';
import { startInProcess, waitUntil, type InProcessService } from '@storytelling/testing';
import type { DataSource } from 'typeorm';
import { startIdentity } from '../../../identity/test/support/app-harness.js';
import type { StoryAnalyser } from '../../src/application/index.js';
import { createStoryApp, type CreateStoryAppOptions } from '../../src/app.js';
import { migratedDataSource } from './db.js';
import { FakeStoryAnalyser } from './fake-analyser.js';
import { FakeSubscriptionServer } from './fake-subscription.js';
import { createStorySandbox, type StorySandbox } from './sandbox.js';

export type StoryClient = GrpcClient<story.StoryServiceClient>;
export type IdentityClient = GrpcClient<identity.IdentityServiceClient>;

/** Short analysis poll, retry, timeout and lease, so worker tests take milliseconds. */
const FAST_ANALYSIS = {
  STORY_ANALYSIS_POLL_MS: '50',
  STORY_ANALYSIS_RETRY_BASE_MS: '50',
  STORY_ANALYSIS_TIMEOUT_MS: '2000',
  STORY_ANALYSIS_LEASE_MS: '4000',
};

export interface RunningStack {
  identity: ServiceHandle;
  story: ServiceHandle;
  identityClient: IdentityClient;
  client: StoryClient;
  analyser: FakeStoryAnalyser;
  /** subscription's CheckQuota as story sees it (unlimited unless a test sets a limit). */
  subscription: FakeSubscriptionServer;
  storyEnv: Record<string, string>;
  /** story's own schema and topic prefix (identity publishes under the same prefix). */
  sandbox: StorySandbox;
  /** A DataSource on story's schema (closed by close()). */
  ds: DataSource;
  /** identity's first super-admin (its SUPERADMIN_EMAIL / SUPERADMIN_PASSWORD). */
  superAdmin: { email: string; password: string };
  close(): Promise<void>;
}

/**
 * identity and story in process on free ports, against this run's Postgres schemas and topic
 * prefix: real tokens (story verifies them with identity's JWKS over gRPC) and real
 * UserRegistered events for story's author ACL. The analyser is the test fake.
 */
export async function startStack(
  name: string,
  options: { storyEnv?: Record<string, string>; analyser?: StoryAnalyser; /** the adapter STORY_ANALYSER selects, not the fake */ realAnalyser?: boolean } = {},
): Promise<RunningStack> {
  const sandbox = await createStorySandbox(name);
  const identity = await startIdentity(sandbox.identityEnv);
  const analyser = options.analyser instanceof FakeStoryAnalyser ? options.analyser : new FakeStoryAnalyser();
  const subscription = await new FakeSubscriptionServer().start();
  let storyApp: InProcessService<story.StoryServiceClient>;
  try {
    storyApp = await startInProcess<story.StoryServiceClient, CreateStoryAppOptions>(
      'story',
      PROTO_SERVICES.story,
      createStoryApp,
      { ...sandbox.env, IDENTITY_GRPC_URL: identity.handle.grpcUrl!, SUBSCRIPTION_GRPC_URL: subscription.url, ...FAST_ANALYSIS, ...options.storyEnv },
      options.realAnalyser ? {} : { analyser: options.analyser ?? analyser },
    );
  } catch (err) {
    await identity.close();
    await subscription.stop();
    throw err;
  }
  const ds = await migratedDataSource(sandbox);
  return {
    identity: identity.handle,
    story: storyApp.handle,
    identityClient: identity.client,
    client: storyApp.client,
    analyser,
    subscription,
    storyEnv: storyApp.env,
    superAdmin: identity.superAdmin,
    sandbox,
    ds,
    async close() {
      await ds.destroy();
      await storyApp.close();
      await identity.close();
      await subscription.stop();
    },
  };
}

export interface TestUser {
  id: string;
  token: string;
  displayName: string;
}

/** Registers a user with identity and (unless `wait` is false) waits until story's ACL knows them as an author. */
export async function registerUser(stack: RunningStack, displayName = 'Ann', wait = true): Promise<TestUser> {
  const res = await stack.identityClient.register({
    email: `${displayName.toLowerCase().replace(/\W/g, '')}.${randomBytes(5).toString('hex')}@example.com`,
    password: 'correct horse battery',
    displayName,
  });
  const user = { id: res.user!.id, token: res.accessToken, displayName };
  if (wait) {
    await waitUntil(async () => ((await stack.ds.query(`SELECT 1 FROM authors WHERE id = $1`, [user.id])) as unknown[]).length > 0, 20_000);
  }
  return user;
}

export const as = (user: TestUser) => ({ metadata: { authorization: `Bearer ${user.token}` } });

export { grpcOutcome as outcome } from '@storytelling/testing';

export interface RunningStory {
  story: ServiceHandle;
  client: StoryClient;
  analyser: FakeStoryAnalyser;
  sandbox: StorySandbox;
  ds: DataSource;
  close(): Promise<void>;
}

/** story alone in its sandbox (no identity: for ACL and worker tests that never call its gRPC API with tokens). */
export async function startStoryOnly(name: string, options: { storyEnv?: Record<string, string>; analyser?: FakeStoryAnalyser } = {}): Promise<RunningStory> {
  const sandbox = await createStorySandbox(name);
  const analyser = options.analyser ?? new FakeStoryAnalyser();
  const storyApp = await startInProcess<story.StoryServiceClient, CreateStoryAppOptions>(
    'story',
    PROTO_SERVICES.story,
    createStoryApp,
    {
      ...sandbox.env,
      IDENTITY_GRPC_URL: '127.0.0.1:9', // never called
      SUBSCRIPTION_GRPC_URL: '127.0.0.1:9', // never called (no story is created over gRPC)
      ...FAST_ANALYSIS,
      ...options.storyEnv,
    },
    { analyser },
  );
  const ds = await migratedDataSource(sandbox);
  return {
    story: storyApp.handle,
    client: storyApp.client,
    analyser,
    sandbox,
    ds,
    async close() {
      await ds.destroy();
      await storyApp.close();
    },
  };
}
