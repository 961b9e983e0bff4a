// story against the REAL subscription service (in process, with identity; real Postgres and
// Kafka): a free member's fourth story this month is refused, also when ten arrive at once.
import { randomBytes } from 'node:crypto';
import { PROTO_SERVICES, type identity, type story } from '@storytelling/contracts';
import { createGrpcClient, type GrpcClient, type ServiceHandle } from '@storytelling/platform';
import { grpcOutcome, serviceEnv } from '@storytelling/testing';
import { createIdentityApp } from '../../../identity/src/app.js';
import { createSubscriptionApp } from '../../../subscription/src/app.js';
import { createStoryApp } from '../../src/app.js';

describe('story ⇄ subscription: storiesPerMonth of the free tier (3)', () => {
  const handles: ServiceHandle[] = [];
  let identityClient: GrpcClient<identity.IdentityServiceClient>;
  let storyClient: GrpcClient<story.StoryServiceClient>;

  beforeAll(async () => {
    const base = { HTTP_PORT: '0', GRPC_PORT: '0', LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' };
    const id = await createIdentityApp(serviceEnv('identity', { ...base, ARGON2_MEMORY_KIB: '8192', ARGON2_TIME_COST: '1', ARGON2_PARALLELISM: '1' }), {
      migrateOnStart: true,
      shutdownHooks: false,
    });
    handles.push(id);
    const sub = await createSubscriptionApp(serviceEnv('subscription', { ...base, IDENTITY_GRPC_URL: id.grpcUrl! }), { migrateOnStart: true, shutdownHooks: false });
    handles.push(sub);
    const st = await createStoryApp(serviceEnv('story', { ...base, IDENTITY_GRPC_URL: id.grpcUrl!, SUBSCRIPTION_GRPC_URL: sub.grpcUrl! }), {
      migrateOnStart: true,
      shutdownHooks: false,
    });
    handles.push(st);
    identityClient = createGrpcClient<identity.IdentityServiceClient>(PROTO_SERVICES.identity, { url: id.grpcUrl!, deadlineMs: 15_000 });
    storyClient = createGrpcClient<story.StoryServiceClient>(PROTO_SERVICES.story, { url: st.grpcUrl!, deadlineMs: 15_000 });
  }, 120_000);

  afterAll(async () => {
    identityClient?.close();
    storyClient?.close();
    for (const h of handles.reverse()) await h.close();
  });

  async function member(): Promise<{ metadata: { authorization: string } }> {
    const res = await identityClient.register({ email: `quota.${randomBytes(5).toString('hex')}@example.com`, password: 'correct horse battery', displayName: 'Quinn' });
    return { metadata: { authorization: `Bearer ${res.accessToken}` } };
  }
  const create = (as: { metadata: { authorization: string } }, n: number) => grpcOutcome(storyClient.createStory({ title: `Tale ${n}`, content: 'Once upon a time.' }, as));

  it('three stories, then FAILED_PRECONDITION/QUOTA_EXCEEDED', async () => {
    const as = await member();
    const outcomes: string[] = [];
    for (let i = 0; i < 4; i++) outcomes.push(await create(as, i));
    expect(outcomes).toEqual(['ok', 'ok', 'ok', 'FAILED_PRECONDITION:QUOTA_EXCEEDED']);
  });

  it('ten at once: exactly three', async () => {
    const as = await member();
    const outcomes = await Promise.all(Array.from({ length: 10 }, (_, i) => create(as, i)));
    expect(outcomes.filter((o) => o === 'ok')).toHaveLength(3);
    expect(outcomes.filter((o) => o === 'FAILED_PRECONDITION:QUOTA_EXCEEDED')).toHaveLength(7);
  });
});
