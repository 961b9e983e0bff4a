import { FixedClock } from '@storytelling/kernel';
import { EventProbe } from '@storytelling/testing';
import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import {
  Publisher,
  as,
  createSandbox,
  processed,
  registeredEvent,
  startIdentity,
  startSubscription,
  subscriptionDataSource,
  type RunningIdentity,
  type RunningSubscription,
  type Sandbox,
} from '../support/harness.js';

// Issue 12, item 9 (docs/adr/0023): a user who registered a moment ago calls subscription before
// identity's UserRegistered reached it. Here subscription listens on another topic prefix, so the
// event arrives only when the test hands it over — after the user's first requests.

describe('subscription: a just-registered user is served before UserRegistered arrives (real Postgres and Kafka)', () => {
  let sandbox: Sandbox;
  let identity: RunningIdentity;
  let app: RunningSubscription;
  let ds: DataSource;
  let publisher: Publisher;
  let events: EventProbe;
  const clock = new FixedClock(new Date());

  beforeAll(async () => {
    sandbox = await createSandbox('just-registered');
    identity = await startIdentity(sandbox);
    // Another sandbox's topics (created, empty): identity publishes where subscription does not listen.
    const late = await createSandbox('just-registered-late');
    app = await startSubscription(sandbox, { clock, identityUrl: identity.handle.grpcUrl!, env: { KAFKA_TOPIC_PREFIX: late.topicPrefix } });
    ds = await subscriptionDataSource(sandbox);
    publisher = await Publisher.start(late);
    events = await EventProbe.start('subscription.subscription.events', { topicPrefix: late.topicPrefix });
  });

  afterAll(async () => {
    await Promise.all([events?.close(), publisher?.close()]);
    await ds?.destroy();
    await app?.close();
    await identity?.close();
  });

  it('GetSubscription and an upgrade right after register start the free subscription (never SUBSCRIPTION_NOT_FOUND); the late event changes nothing', async () => {
    const res = await identity.client.register({ email: `newcomer.${randomBytes(5).toString('hex')}@example.com`, password: 'correct horse battery', displayName: 'Newcomer' });
    const user = { id: res.user!.id, token: res.accessToken };
    expect(await ds.query(`SELECT 1 FROM subscriptions WHERE user_id = $1`, [user.id])).toEqual([]);

    const first = (await app.client.getSubscription({ userId: '' }, as(user))).subscription!;
    expect(first).toMatchObject({ userId: user.id, tier: 'free', status: 'active' });
    const { subscription: upgrade } = await app.client.changeSubscription({ tierId: 'silver', billingCycle: 'monthly', paymentMethod: { token: 'tok_visa' } }, as(user));
    expect(upgrade).toMatchObject({ id: first.id, tier: 'free', pendingChange: { tier: 'silver', status: 'payment_pending' } });

    await processed(ds, await publisher.publish('identity.user.events', registeredEvent(user.id, new Date(clock.now().getTime() - 1_000))));
    const rows = (await ds.query(`SELECT id, tier FROM subscriptions WHERE user_id = $1`, [user.id])) as Array<{ id: string; tier: string }>;
    expect(rows).toEqual([{ id: first.id, tier: 'free' }]);
    const created = await events.waitFor((e) => e.envelope.type === 'storytelling.subscription.subscription.created.v1' && (e.envelope.data as { userId: string }).userId === user.id);
    expect(created.envelope.data).toMatchObject({ tier: 'free' });
    const outbox = (await ds.query(`SELECT count(*)::int AS n FROM domain_events WHERE aggregate_id = $1 AND type LIKE '%subscription.created%'`, [first.id])) as Array<{ n: number }>;
    expect(outbox[0]!.n).toBe(1);
  });
});
