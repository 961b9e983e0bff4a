// identity, subscription, story and narration in this process, in one sandbox of their own (real
// PostgreSQL schemas and Kafka topics, real tokens, the real Piper engine and ffmpeg): what
// narration's integration tests narrate through.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Provider } from '@nestjs/common';
import { PROTO_SERVICES, type narration, type story, type subscription } from '@storytelling/contracts';
import { FilesystemObjectStorage, createDataSource, type GrpcClient, type ObjectStorage } from '@storytelling/platform';
import {
  SandboxKafka,
  createServiceSandbox,
  grpcOutcome,
  serviceCredentials,
  serviceTokenSecret,
  startInProcess,
  waitUntil,
  type InProcessService,
  type ServiceSandbox,
} from '@storytelling/testing';
import type { DataSource } from 'typeorm';
import { startIdentity, type RunningIdentity } from '../../../identity/test/support/app-harness.js';
import { createStoryApp } from '../../../story/src/app.js';
import { createSubscriptionApp } from '../../../subscription/src/app.js';
import { createNarrationApp, type CreateNarrationAppOptions } from '../../src/app.js';

/** The repository's .tools (Piper's venv manifest). */
export const MEDIA_TOOLS_DIR = resolve(import.meta.dirname, '../../../../.tools');

type Service = 'identity' | 'subscription' | 'story' | 'narration';

export interface NarrationStack {
  sandbox: ServiceSandbox<Service>;
  identity: RunningIdentity;
  subscription: InProcessService<subscription.SubscriptionServiceClient>;
  story: InProcessService<story.StoryServiceClient>;
  narration: InProcessService<narration.NarrationServiceClient>;
  /** narration's schema. */
  ds: DataSource;
  /** The object store narration writes to (a folder of this test's own). */
  objects: ObjectStorage;
  kafka: SandboxKafka;
  close(): Promise<void>;
}

export interface NarrationStackOptions {
  narrationEnv?: Record<string, string>;
  /** Replace narration's adapters (e.g. a speech engine that fails on a marker). */
  providers?: Provider[];
}

export async function startNarrationStack(name: string, options: NarrationStackOptions = {}): Promise<NarrationStack> {
  const sandbox = await createServiceSandbox<Service>(name, ['identity', 'subscription', 'story', 'narration']);
  const objectsDir = await mkdtemp(join(tmpdir(), 'narration-objects-'));
  const closers: Array<() => Promise<void> | void> = [() => rm(objectsDir, { recursive: true, force: true })];
  const close = async () => {
    for (const c of closers.reverse()) await c();
  };
  try {
    const identity = await startIdentity({ ...sandbox.env.identity, SERVICE_CREDENTIALS: serviceCredentials() });
    closers.push(() => identity.close());
    const sub = await startInProcess<subscription.SubscriptionServiceClient>('subscription', PROTO_SERVICES.subscription, createSubscriptionApp, {
      ...sandbox.env.subscription,
      IDENTITY_GRPC_URL: identity.handle.grpcUrl!,
    });
    closers.push(() => sub.close());
    const st = await startInProcess<story.StoryServiceClient>('story', PROTO_SERVICES.story, createStoryApp, {
      ...sandbox.env.story,
      IDENTITY_GRPC_URL: identity.handle.grpcUrl!,
      SUBSCRIPTION_GRPC_URL: sub.handle.grpcUrl!,
      STORY_ANALYSIS_WORKERS: '1',
      STORY_ANALYSIS_POLL_MS: '100',
    });
    closers.push(() => st.close());
    const nar = await startInProcess<narration.NarrationServiceClient, CreateNarrationAppOptions>(
      'narration',
      PROTO_SERVICES.narration,
      createNarrationApp,
      {
        ...sandbox.env.narration,
        IDENTITY_GRPC_URL: identity.handle.grpcUrl!,
        STORY_GRPC_URL: st.handle.grpcUrl!,
        SUBSCRIPTION_GRPC_URL: sub.handle.grpcUrl!,
        SERVICE_TOKEN_SECRET: serviceTokenSecret('narration'),
        OBJECT_STORAGE: 'fs',
        OBJECT_STORAGE_DIR: objectsDir,
        MEDIA_TOOLS_DIR,
        NARRATION_WORKERS: '1',
        NARRATION_JOB_POLL_MS: '100',
        ...options.narrationEnv,
      },
      options.providers ? { providers: options.providers } : {},
    );
    closers.push(() => nar.close());
    const ds = createDataSource({ url: sandbox.env.narration.DATABASE_URL, schema: sandbox.env.narration.DATABASE_SCHEMA, poolMax: 2 }, { entities: [], migrations: [], applicationName: 'narration-test' });
    await ds.initialize();
    closers.push(() => ds.destroy());
    const kafka = await SandboxKafka.start(sandbox, { clientId: `${name}-test` });
    closers.push(() => kafka.close());
    return {
      sandbox,
      identity,
      subscription: sub,
      story: st,
      narration: nar,
      ds,
      objects: new FilesystemObjectStorage(objectsDir),
      kafka,
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}

export interface Member {
  id: string;
  token: string;
  as: { metadata: { authorization: string } };
}

/** A registered user that story and subscription know (they learn it from UserRegistered). */
export async function member(stack: NarrationStack, displayName = 'Ann'): Promise<Member> {
  const res = await stack.identity.client.register({ email: `narration.${randomBytes(5).toString('hex')}@example.com`, password: 'correct horse battery', displayName });
  const as = { metadata: { authorization: `Bearer ${res.accessToken}` } };
  await waitUntil(async () => (await grpcOutcome(stack.subscription.client.checkQuota({ userId: '', resource: 'narrations', amount: 1 }, as))) === 'ok', 30_000);
  return { id: res.user!.id.toLowerCase(), token: res.accessToken, as };
}

/** A story of `author`, analysed by story's own (local) analyser. */
export async function analysedStory(stack: NarrationStack, author: Member, title: string, content: string): Promise<story.Story> {
  let created: story.Story | undefined;
  await waitUntil(async () => {
    const outcome = await grpcOutcome(stack.story.client.createStory({ title, content }, author.as).then((r) => (created = r.story)));
    return outcome === 'ok';
  }, 30_000);
  await stack.story.client.requestAnalysis({ storyId: created!.id }, author.as);
  await waitUntil(async () => (await stack.story.client.getAnalysis({ storyId: created!.id }, author.as)).analysis?.status === 'analyzed', 60_000);
  return created!;
}

export type NarrationClient = GrpcClient<narration.NarrationServiceClient>;
