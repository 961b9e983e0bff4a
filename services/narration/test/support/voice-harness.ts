// narration in process with identity (real tokens) and a fake of subscription's gRPC server,
// in a sandbox of its own (schemas, topic prefix) and a filesystem object store the test shares
// with the service, as the gateway does: the test puts uploads under uploads/<id> and reads
// what narration stored.
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROTO_SERVICES, type narration, type subscription } from '@storytelling/contracts';
import { FilesystemObjectStorage, createDataSource, type GrpcClient, type ServiceHandle } from '@storytelling/platform';
import { createServiceSandbox, startGrpcTestServer, startInProcess, type GrpcTestServer } from '@storytelling/testing';
import type { DataSource } from 'typeorm';
import { startIdentity, type RunningIdentity } from '../../../identity/test/support/app-harness.js';
import { createNarrationApp, type CreateNarrationAppOptions } from '../../src/app.js';
import { TOOLS_DIR } from './voice-audio.js';

export type NarrationClient = GrpcClient<narration.NarrationServiceClient>;

/**
 * subscription as narration sees it: GetSubscription answers each user's tier (free unless a
 * test says otherwise), ListTiers free (no voiceCloning) to platinum, CheckQuota allows.
 */
export class FakeSubscriptionTiers {
  readonly tiers = new Map<string, string>();
  private server: GrpcTestServer | undefined;

  get url(): string {
    if (!this.server) throw new Error('FakeSubscriptionTiers not started');
    return this.server.url;
  }

  async start(): Promise<this> {
    this.server = await startGrpcTestServer(PROTO_SERVICES.subscription, {
      GetSubscription: (raw: unknown) => {
        const { userId } = raw as subscription.GetSubscriptionRequest;
        const now = new Date();
        return {
          subscription: {
            id: randomUUID(),
            userId,
            tier: this.tiers.get(userId) ?? 'free',
            status: 'active',
            billingCycle: 'monthly',
            currentPeriodStart: now.toISOString(),
            currentPeriodEnd: new Date(now.getTime() + 30 * 86_400_000).toISOString(),
          },
        };
      },
      ListTiers: () => ({
        tiers: ['free', 'silver', 'gold', 'platinum'].map((id, rank) => ({ id, name: id, rank, features: { voiceCloning: id !== 'free' } })),
      }),
      CheckQuota: () => ({ allowed: true, used: 0, reserved: 0, tier: 'gold' }),
    });
    return this;
  }

  async stop(): Promise<void> {
    await this.server?.stop();
  }
}

export interface VoiceStack {
  narration: ServiceHandle;
  client: NarrationClient;
  identity: RunningIdentity;
  subscription: FakeSubscriptionTiers;
  /** The object store narration uses (OBJECT_STORAGE_DIR). */
  storage: FilesystemObjectStorage;
  objectsDir: string;
  /** narration's schema, for assertions. */
  ds: DataSource;
  topicPrefix: string;
  close(): Promise<void>;
}

export async function startVoiceStack(name: string, narrationEnv: Record<string, string> = {}): Promise<VoiceStack> {
  const { env, topicPrefix } = await createServiceSandbox(name, ['narration', 'identity'], { topicTag: 'nar' });
  const identity = await startIdentity(env.identity);
  const subscription = await new FakeSubscriptionTiers().start();
  const objectsDir = mkdtempSync(join(tmpdir(), 'voice-objects-'));
  let app;
  try {
    app = await startInProcess<narration.NarrationServiceClient, CreateNarrationAppOptions>('narration', PROTO_SERVICES.narration, createNarrationApp, {
      ...env.narration,
      IDENTITY_GRPC_URL: identity.handle.grpcUrl!,
      SUBSCRIPTION_GRPC_URL: subscription.url,
      OBJECT_STORAGE: 'fs',
      OBJECT_STORAGE_DIR: objectsDir,
      MEDIA_TOOLS_DIR: TOOLS_DIR,
      NARRATION_TRAINING_POLL_MS: '100',
      ...narrationEnv,
    });
  } catch (err) {
    await identity.close();
    await subscription.stop();
    throw err;
  }
  const ds = createDataSource({ url: env.narration.DATABASE_URL, schema: env.narration.DATABASE_SCHEMA, poolMax: 2 }, { applicationName: 'narration-voice-test' });
  await ds.initialize();
  return {
    narration: app.handle,
    client: app.client,
    identity,
    subscription,
    storage: new FilesystemObjectStorage(objectsDir),
    objectsDir,
    ds,
    topicPrefix,
    async close() {
      await ds.destroy();
      await app.close();
      await identity.close();
      await subscription.stop();
      rmSync(objectsDir, { recursive: true, force: true });
    },
  };
}

export interface TestUser {
  id: string;
  token: string;
}

export async function registerUser(stack: VoiceStack, name = 'Ann'): Promise<TestUser> {
  const res = await stack.identity.client.register({ email: `${name.toLowerCase()}.${randomBytes(5).toString('hex')}@example.com`, password: 'correct horse battery', displayName: name });
  return { id: res.user!.id, token: res.accessToken };
}

export const as = (user: TestUser) => ({ metadata: { authorization: `Bearer ${user.token}` } });

/** What the gateway does with a multipart upload: the bytes under uploads/<uuid>, whatever they are. */
export async function upload(stack: VoiceStack, path: string): Promise<string> {
  const key = `uploads/${randomUUID()}`;
  await stack.storage.put(key, readFileSync(path), { contentType: 'application/octet-stream' });
  return key;
}

export async function exists(stack: VoiceStack, key: string): Promise<boolean> {
  try {
    await stack.storage.head(key);
    return true;
  } catch {
    return false;
  }
}

export { grpcOutcome as outcome } from '@storytelling/testing';
