import { FixedClock, uuidv7 } from '@storytelling/kernel';
import { EventStore, UnitOfWork, createDataSource } from '@storytelling/platform';
import { EventProbe, type ProbedEvent } from '@storytelling/testing';
import type { DataSource } from 'typeorm';
import { subscriptionMigrations } from '../../migrations/index.js';
import { CommandBus } from '@nestjs/cqrs';
import { CommitUsageCommand, ReserveUsageCommand } from '../../src/application/index.js';
import { UsageService } from '../../src/application/usage.js';
import { DEFAULT_DUNNING_POLICY } from '../../src/domain/index.js';
import { subscriptionUnitOfWork } from '../../src/infrastructure/persistence/unit-of-work.js';
import {
  Publisher,
  as,
  createSandbox,
  outcome,
  processed,
  registerUser,
  startIdentity,
  startSubscription,
  subscriptionDataSource,
  type RunningIdentity,
  type RunningSubscription,
  type Sandbox,
  type TestUser,
} from '../support/harness.js';

const RESERVE = 'storytelling.subscription.usage.reserve.v1';
const COMMIT = 'storytelling.subscription.usage.commit.v1';
const RELEASE = 'storytelling.subscription.usage.release.v1';

describe('usage and quotas (real Postgres and Kafka)', () => {
  let sandbox: Sandbox;
  let identity: RunningIdentity;
  let app: RunningSubscription;
  let ds: DataSource;
  let publisher: Publisher;
  let usageEvents: EventProbe;
  const clock = new FixedClock(new Date());
  const users: Record<string, TestUser> = {};

  beforeAll(async () => {
    sandbox = await createSandbox('usage');
    identity = await startIdentity(sandbox);
    app = await startSubscription(sandbox, { clock, identityUrl: identity.handle.grpcUrl! });
    ds = await subscriptionDataSource(sandbox);
    publisher = await Publisher.start(sandbox);
    usageEvents = await EventProbe.start('subscription.usage.events', { topicPrefix: sandbox.topicPrefix });
    for (const name of ['ann', 'bob', 'cat', 'dan']) users[name] = await registerUser(identity, ds, name);
  });

  afterAll(async () => {
    await Promise.all([usageEvents?.close(), publisher?.close()]);
    await ds?.destroy();
    await app?.close();
    await identity?.close();
  });

  const command = (type: string, sagaId: string, data: Record<string, unknown>) =>
    publisher.publish('subscription.commands', { type, subject: sagaId, source: '/storytelling/story', data: { sagaId, ...data }, correlationid: sagaId });
  const reply = (predicate: (e: ProbedEvent) => boolean) => usageEvents.waitFor(predicate, 20_000);
  const counter = async (userId: string, resource: string) =>
    ((await ds.query(
      `SELECT c.used, c.reserved FROM usage_counters c JOIN subscriptions s ON s.id = c.subscription_id WHERE s.user_id = $1 AND c.resource = $2 ORDER BY c.period_start DESC LIMIT 1`,
      [userId, resource],
    )) as Array<{ used: number; reserved: number }>)[0];

  it('many concurrent reservations against a small limit: exactly the limit succeeds', async () => {
    // 24 transactions at once, each its own connection, against free narrations (limit 3).
    const pool = createDataSource({ url: sandbox.subscriptionEnv.DATABASE_URL, schema: sandbox.subscriptionEnv.DATABASE_SCHEMA, poolMax: 24 }, { migrations: subscriptionMigrations });
    await pool.initialize();
    try {
      const events = new EventStore();
      const uow = subscriptionUnitOfWork(new UnitOfWork(pool), events, pool, clock);
      const usage = new UsageService({ chargeTimeoutMs: 1, refundTimeoutMs: 1, reservationTtlSeconds: 600, schedulerIntervalMs: 0, dunning: DEFAULT_DUNNING_POLICY }, clock);
      const ids = Array.from({ length: 24 }, () => uuidv7());
      await Promise.all(ids.map((id) => uow.run((repos) => usage.reserve(repos, { sagaId: uuidv7(), reservationId: id, userId: users.ann!.id, resource: 'narrations', amount: 1, ttlSeconds: 600 }))));
      const statuses: Array<{ status: string; n: string }> = await ds.query(
        `SELECT status, count(*) AS n FROM usage_reservations WHERE id = ANY($1::uuid[]) GROUP BY status ORDER BY status`,
        [ids],
      );
      expect(statuses.map((s) => [s.status, Number(s.n)])).toEqual([
        ['refused', 21],
        ['reserved', 3],
      ]);
      expect(await counter(users.ann!.id, 'narrations')).toEqual({ used: 0, reserved: 3 });
      const check = await app.client.checkQuota({ userId: '', resource: 'narrations', amount: 1 }, as(users.ann!));
      expect(check).toMatchObject({ allowed: false, used: 0, reserved: 3, limit: 3, tier: 'free' });
    } finally {
      await pool.destroy();
    }
  });

  it('ReserveUsage / CommitUsage / ReleaseUsage over Kafka: replies carry the command id as causation and the saga id as correlation', async () => {
    const bob = users.bob!;
    const saga = uuidv7();
    const [r1, r2, r3] = [uuidv7(), uuidv7(), uuidv7()];
    const reserveId = await command(RESERVE, saga, { reservationId: r1, userId: bob.id, resource: 'narrations', amount: 2, ttlSeconds: 0 });
    const reserved = await reply((e) => e.envelope.type.endsWith('usage.reserved.v1') && (e.envelope.data as { reservationId: string }).reservationId === r1);
    expect(reserved.envelope).toMatchObject({ causationid: reserveId, correlationid: saga });
    expect(reserved.envelope.data).toMatchObject({ userId: bob.id, resource: 'narrations', amount: 2 });
    // a third narration would pass the limit of 3 (2 held)
    await command(RESERVE, saga, { reservationId: r2, userId: bob.id, resource: 'narrations', amount: 2 });
    const exceeded = await reply((e) => e.envelope.type.endsWith('usage.quota_exceeded.v1') && (e.envelope.data as { reservationId?: string }).reservationId === r2);
    expect(exceeded.envelope.data).toMatchObject({ tier: 'free', resource: 'narrations', requested: 2, used: 2, limit: 3, periodStart: (reserved.envelope.data as { periodStart: string }).periodStart });
    expect((exceeded.envelope.data as { periodStart: string }).periodStart).toMatch(/^\d{4}-\d\d-\d\dT/);
    // commit → used; resending the same reserve (new command id) answers again, changes nothing
    const commitId = await command(COMMIT, saga, { reservationId: r1 });
    const committed = await reply((e) => e.envelope.type.endsWith('usage.committed.v1') && (e.envelope.data as { reservationId: string }).reservationId === r1);
    expect(committed.envelope.causationid).toBe(commitId);
    await processed(ds, await command(RESERVE, saga, { reservationId: r1, userId: bob.id, resource: 'narrations', amount: 2 }));
    expect(await counter(bob.id, 'narrations')).toEqual({ used: 2, reserved: 0 });
    // reserve + release
    await command(RESERVE, saga, { reservationId: r3, userId: bob.id, resource: 'narrations', amount: 1 });
    await reply((e) => e.envelope.type.endsWith('usage.reserved.v1') && (e.envelope.data as { reservationId: string }).reservationId === r3);
    await command(RELEASE, saga, { reservationId: r3 });
    const released = await reply((e) => e.envelope.type.endsWith('usage.released.v1') && (e.envelope.data as { reservationId: string }).reservationId === r3);
    expect(released.envelope.data).toMatchObject({ reason: 'released', amount: 1 });
    expect(await counter(bob.id, 'narrations')).toEqual({ used: 2, reserved: 0 });
    // a release after the commit is answered (the compensating saga ends) and gives nothing back
    const lateReleaseId = await command(RELEASE, saga, { reservationId: r1 });
    const lateRelease = await reply((e) => e.envelope.type.endsWith('usage.released.v1') && (e.envelope.data as { reservationId: string }).reservationId === r1);
    expect(lateRelease.envelope).toMatchObject({ causationid: lateReleaseId, correlationid: saga, data: expect.objectContaining({ reason: 'committed', amount: 0 }) });
    expect(await counter(bob.id, 'narrations')).toEqual({ used: 2, reserved: 0 });
    const usage = await app.client.getUsage({ userId: '' }, as(bob));
    expect(usage.usage.find((u) => u.resource === 'narrations')).toMatchObject({ used: 2, reserved: 0, limit: 3 });
    expect(usage.periodStart < usage.periodEnd).toBe(true);
  });

  it('the usage commands consumers run in their transaction also run on the CommandBus, each in a transaction of its own', async () => {
    const dan = users.dan!;
    const bus = app.handle.app.get(CommandBus, { strict: false });
    const r = uuidv7();
    await bus.execute(new ReserveUsageCommand({ sagaId: uuidv7(), reservationId: r, userId: dan.id, resource: 'narrations', amount: 2, ttlSeconds: 600 }));
    expect(await counter(dan.id, 'narrations')).toEqual({ used: 0, reserved: 2 });
    await bus.execute(new CommitUsageCommand(r));
    expect(await counter(dan.id, 'narrations')).toEqual({ used: 2, reserved: 0 });
    const committed = await reply((e) => e.envelope.type.endsWith('usage.committed.v1') && (e.envelope.data as { reservationId?: string }).reservationId === r);
    expect(committed.envelope.data).toMatchObject({ userId: dan.id, resource: 'narrations', amount: 2 });
  });

  it('a reservation never committed expires: the sweeper releases it (reason expired)', async () => {
    const cat = users.cat!;
    const saga = uuidv7();
    const r = uuidv7();
    await command(RESERVE, saga, { reservationId: r, userId: cat.id, resource: 'stories', amount: 1, ttlSeconds: 60 });
    await reply((e) => e.envelope.type.endsWith('usage.reserved.v1') && (e.envelope.data as { reservationId: string }).reservationId === r);
    expect(await counter(cat.id, 'stories')).toEqual({ used: 0, reserved: 1 });
    expect((await app.scheduler.tick()).expired).toBe(0);
    clock.advance(61_000);
    expect((await app.scheduler.tick()).expired).toBe(1);
    const released = await reply((e) => e.envelope.type.endsWith('usage.released.v1') && (e.envelope.data as { reservationId: string }).reservationId === r);
    expect(released.envelope.data).toMatchObject({ reason: 'expired' });
    expect(await counter(cat.id, 'stories')).toEqual({ used: 0, reserved: 0 });
  });

  it('malformed usage commands are dead-lettered', async () => {
    const dlq = await EventProbe.start('dlq.subscription', { topicPrefix: sandbox.topicPrefix });
    try {
      const bad = await command(RESERVE, uuidv7(), { reservationId: uuidv7(), userId: users.cat!.id, resource: 'minutes', amount: 1 });
      const zero = await command(RESERVE, uuidv7(), { reservationId: uuidv7(), userId: users.cat!.id, resource: 'stories', amount: 0 });
      const unknown = await command(COMMIT, uuidv7(), { reservationId: uuidv7() });
      for (const id of [bad, zero, unknown]) await dlq.waitFor((e) => e.envelope.id === id, 20_000);
    } finally {
      await dlq.close();
    }
  });

  it('stories are counted from StoryCreated (once per event) and CheckQuota follows: the free tier allows 3', async () => {
    const dan = users.dan!;
    const storyCreated = (storyId = uuidv7()) => ({
      type: 'storytelling.story.story.created.v1',
      subject: storyId,
      source: '/storytelling/story',
      data: { storyId, authorId: dan.id, title: 'A tale', language: 'en', contentSha256: 'a'.repeat(64), createdAt: clock.now().toISOString() },
    });
    const first = storyCreated();
    const id = await publisher.publish('story.story.events', first);
    await processed(ds, id);
    await publisher.publish('story.story.events', { ...first, id }); // redelivery
    await processed(ds, await publisher.publish('story.story.events', storyCreated()));
    let q = await app.client.checkQuota({ userId: '', resource: 'stories', amount: 1 }, as(dan));
    expect(q).toMatchObject({ allowed: true, used: 2, reserved: 0, limit: 3, tier: 'free' });
    const sub = (await app.client.getSubscription({ userId: '' }, as(dan))).subscription!;
    expect(q.periodStart).toBe(sub.currentPeriodStart);
    expect(q.periodEnd).toBe(sub.currentPeriodEnd);
    await processed(ds, await publisher.publish('story.story.events', storyCreated()));
    q = await app.client.checkQuota({ userId: '', resource: 'stories', amount: 1 }, as(dan));
    expect(q).toMatchObject({ allowed: false, used: 3, limit: 3 });
    expect(sub.usage.find((u) => u.resource === 'stories')).toMatchObject({ used: 2, limit: 3 });
    // a fourth (created in a race) is counted and reported, never refused
    await processed(ds, await publisher.publish('story.story.events', storyCreated()));
    const exceeded = await reply((e) => e.envelope.type.endsWith('usage.quota_exceeded.v1') && (e.envelope.data as { userId: string }).userId === dan.id);
    expect(exceeded.envelope.data).toMatchObject({ resource: 'stories', requested: 1, used: 3, limit: 3 });
    expect(await counter(dan.id, 'stories')).toEqual({ used: 4, reserved: 0 });
  });

  it('CheckQuota: validation, and a user subscription does not know yet is answered as free', async () => {
    expect(await outcome(app.client.checkQuota({ userId: '', resource: 'minutes', amount: 1 }, as(users.ann!)))).toBe('INVALID_ARGUMENT:VALIDATION_FAILED');
    expect(await outcome(app.client.checkQuota({ userId: '', resource: 'stories', amount: 0 }, as(users.ann!)))).toBe('INVALID_ARGUMENT:VALIDATION_FAILED');
    await ds.query(`UPDATE subscriptions SET user_id = $2 WHERE user_id = $1`, [users.cat!.id, uuidv7()]); // as if not yet created
    const q = await app.client.checkQuota({ userId: '', resource: 'stories', amount: 1 }, as(users.cat!));
    expect(q).toMatchObject({ allowed: true, used: 0, limit: 3, tier: 'free' });
    expect(new Date(q.periodStart).getTime()).toBeLessThan(clock.now().getTime());
    // Their own GetSubscription starts the free subscription (ADR 0023), where it used to be 404.
    expect((await app.client.getSubscription({ userId: '' }, as(users.cat!))).subscription).toMatchObject({ userId: users.cat!.id, tier: 'free', status: 'active' });
  });
});
