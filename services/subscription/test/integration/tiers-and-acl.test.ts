import { FixedClock, uuidv7 } from '@storytelling/kernel';
import { EventProbe, waitUntil } from '@storytelling/testing';
import type { DataSource } from 'typeorm';
import { Publisher, createSandbox, processed, registeredEvent, startSubscription, subscriptionDataSource, type RunningSubscription, type Sandbox } from '../support/harness.js';

interface SubRow {
  tier: string;
  status: string;
  billing_cycle: string;
  current_period_start: Date;
  current_period_end: Date;
}

describe('subscription: seeded tiers and the identity ACL (real Postgres and Kafka)', () => {
  let sandbox: Sandbox;
  let app: RunningSubscription;
  let ds: DataSource;
  let publisher: Publisher;
  let events: EventProbe;
  let dlq: EventProbe;
  const clock = new FixedClock(new Date('2031-03-10T12:00:00Z'));

  beforeAll(async () => {
    sandbox = await createSandbox('acl');
    app = await startSubscription(sandbox, { clock });
    ds = await subscriptionDataSource(sandbox);
    publisher = await Publisher.start(sandbox);
    [events, dlq] = await Promise.all([
      EventProbe.start('subscription.subscription.events', { topicPrefix: sandbox.topicPrefix }),
      EventProbe.start('dlq.subscription', { topicPrefix: sandbox.topicPrefix }),
    ]);
  });

  afterAll(async () => {
    await Promise.all([events?.close(), dlq?.close(), publisher?.close()]);
    await ds?.destroy();
    await app?.close();
  });

  const row = async (userId: string): Promise<SubRow | undefined> =>
    ((await ds.query(`SELECT tier, status, billing_cycle, current_period_start, current_period_end FROM subscriptions WHERE user_id = $1`, [userId])) as SubRow[])[0];

  it('ListTiers (public, no token) answers the DOMAIN.md catalogue, cheapest first', async () => {
    const { tiers } = await app.client.listTiers({});
    expect(tiers.map((t) => [t.id, t.priceMonthly, t.priceYearly, t.priceMonthlyMinor, t.rank])).toEqual([
      ['free', '0.00', '0.00', '0', 0],
      ['silver', '9.99', '99.90', '999', 1],
      ['gold', '19.99', '199.90', '1999', 2],
      ['platinum', '39.99', '399.90', '3999', 3],
    ]);
    expect(tiers[0]).toMatchObject({ currency: 'USD', limits: { storiesPerMonth: 3, narrationsPerMonth: 3, videosPerMonth: 0, videoMaxSeconds: 0, collaboratorsPerStory: 2 }, features: { voiceCloning: false } });
    // unlimited is an absent value
    const platinum = tiers[3]!.limits!;
    expect(platinum).toMatchObject({ videosPerMonth: 40, videoMaxSeconds: 60 });
    expect([platinum.storiesPerMonth, platinum.narrationsPerMonth, platinum.collaboratorsPerStory]).toEqual([undefined, undefined, undefined]);
    expect(tiers[2]!.limits).toMatchObject({ storiesPerMonth: 30, narrationsPerMonth: 60, videosPerMonth: 10, videoMaxSeconds: 30, collaboratorsPerStory: 10 });
  });

  it('UserRegistered creates an active free subscription with a monthly period from the registration, and SubscriptionCreated', async () => {
    const userId = uuidv7();
    await processed(ds, await publisher.publish('identity.user.events', registeredEvent(userId, new Date('2031-01-31T08:00:00Z'))));
    expect(await row(userId)).toEqual({
      tier: 'free',
      status: 'active',
      billing_cycle: 'monthly',
      current_period_start: new Date('2031-01-31T08:00:00Z'),
      current_period_end: new Date('2031-02-28T08:00:00Z'),
    });
    const created = await events.waitFor((e) => e.envelope.type === 'storytelling.subscription.subscription.created.v1' && (e.envelope.data as { userId: string }).userId === userId);
    expect(created.envelope).toMatchObject({ source: '/storytelling/subscription', aggregateversion: 1 });
    expect(created.envelope.data).toMatchObject({ tier: 'free', status: 'active', billingCycle: 'monthly', currentPeriodStart: '2031-01-31T08:00:00.000Z' });
  });

  it('a redelivered UserRegistered, and a second one for the same user, change nothing', async () => {
    const userId = uuidv7();
    const first = registeredEvent(userId, new Date('2031-03-01T00:00:00Z'));
    const id = await publisher.publish('identity.user.events', first);
    await processed(ds, id);
    await publisher.publish('identity.user.events', { ...first, id }); // redelivery
    const again = await publisher.publish('identity.user.events', registeredEvent(userId, new Date('2031-03-05T00:00:00Z')));
    await processed(ds, again);
    expect((await row(userId))!.current_period_start).toEqual(new Date('2031-03-01T00:00:00Z'));
    const rows: Array<{ n: string }> = await ds.query(`SELECT count(*) AS n FROM subscriptions WHERE user_id = $1`, [userId]);
    expect(Number(rows[0]!.n)).toBe(1);
    const subId = ((await ds.query(`SELECT id FROM subscriptions WHERE user_id = $1`, [userId])) as Array<{ id: string }>)[0]!.id;
    const outbox: Array<{ n: string }> = await ds.query(`SELECT count(*) AS n FROM domain_events WHERE aggregate_id = $1`, [subId]);
    expect(Number(outbox[0]!.n)).toBe(1);
  });

  it('UserDeactivated cancels the subscription at once (SubscriptionCancelled, account_deactivated)', async () => {
    const userId = uuidv7();
    await processed(ds, await publisher.publish('identity.user.events', registeredEvent(userId)));
    const deactivated = await publisher.publish('identity.user.events', {
      type: 'storytelling.identity.user.deactivated.v1',
      subject: userId,
      source: '/storytelling/identity',
      version: 2,
      data: { userId, deactivatedAt: new Date().toISOString() },
    });
    await processed(ds, deactivated);
    expect((await row(userId))!.status).toBe('cancelled');
    const cancelled = await events.waitFor((e) => e.envelope.type === 'storytelling.subscription.subscription.cancelled.v1' && (e.envelope.data as { userId: string }).userId === userId);
    expect(cancelled.envelope.data).toMatchObject({ tier: 'free', reason: 'account_deactivated' });
    expect(cancelled.envelope.aggregateversion).toBe(2);
  });

  it('malformed identity events go to dlq.subscription and the next event is still processed', async () => {
    const userId = uuidv7();
    await publisher.raw('identity.user.events', userId, '{not json');
    const wrongSubject = await publisher.publish('identity.user.events', { ...registeredEvent(userId), subject: uuidv7() });
    const noUser = await publisher.publish('identity.user.events', { ...registeredEvent(userId), data: { displayName: 'x' } });
    const good = await publisher.publish('identity.user.events', registeredEvent(userId));
    await processed(ds, good);
    await dlq.waitFor((e) => e.envelope.id === wrongSubject);
    await dlq.waitFor((e) => e.envelope.id === noUser);
    await waitUntil(() => dlq.rejected.length >= 1, 20_000); // the non-JSON one is dead-lettered as is
    expect((await row(userId))!.status).toBe('active');
  });
});
