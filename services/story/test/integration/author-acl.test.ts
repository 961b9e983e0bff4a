import { uuidv7 } from '@storytelling/kernel';
import { testEnvironment, waitUntil } from '@storytelling/testing';
import kafkajs, { type Consumer, type Producer } from 'kafkajs';
import { startStoryOnly, type RunningStory } from '../support/app-harness.js';
import { outboxOf } from '../support/db.js';

const REGISTERED = 'storytelling.identity.user.registered.v1';
const PROFILE_UPDATED = 'storytelling.identity.user.profile_updated.v1';
const DEACTIVATED = 'storytelling.identity.user.deactivated.v1';
const AUTHENTICATED = 'storytelling.identity.user.authenticated.v1';

interface AuthorRow {
  display_name: string;
  is_active: boolean;
  identity_version: number;
}

interface DeadLetter {
  key: string | null;
  value: string;
  headers: Record<string, string>;
}

describe('author ACL: identity.user.events → Author (real Kafka and Postgres)', () => {
  let app: RunningStory;
  let producer: Producer;
  let dlqConsumer: Consumer;
  const deadLetters: DeadLetter[] = [];

  beforeAll(async () => {
    app = await startStoryOnly('acl');
    const kafka = new kafkajs.Kafka({ clientId: 'story-acl-test', brokers: testEnvironment().brokers, logLevel: kafkajs.logLevel.NOTHING });
    producer = kafka.producer();
    await producer.connect();
    dlqConsumer = kafka.consumer({ groupId: `${app.sandbox.topicPrefix}dlq-reader`, maxWaitTimeInMs: 100 });
    await dlqConsumer.connect();
    await dlqConsumer.subscribe({ topic: app.sandbox.topic('dlq.story'), fromBeginning: true });
    await dlqConsumer.run({
      eachMessage: async ({ message }) => {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(message.headers ?? {})) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(',') : v.toString();
        deadLetters.push({ key: message.key?.toString() ?? null, value: message.value?.toString() ?? '', headers });
      },
    });
  });

  afterAll(async () => {
    await dlqConsumer?.disconnect();
    await producer?.disconnect();
    await app?.close();
  });

  /** Publishes an identity event as identity's relay would (CloudEvent, key = user id). @returns its event id. */
  async function publish(type: string, userId: string, version: number, data: Record<string, unknown>, options: { id?: string; subject?: string } = {}): Promise<string> {
    const id = options.id ?? uuidv7();
    const envelope = {
      specversion: '1.0',
      id,
      source: '/storytelling/identity',
      type,
      subject: options.subject ?? userId,
      time: new Date().toISOString(),
      datacontenttype: 'application/json',
      data,
      aggregateversion: version,
      correlationid: id,
    };
    await sendRaw(userId, JSON.stringify(envelope), { ce_id: id, ce_type: type });
    return id;
  }

  async function sendRaw(key: string, value: string, headers: Record<string, string> = {}): Promise<void> {
    await producer.send({
      topic: app.sandbox.topic('identity.user.events'),
      messages: [{ key, value, headers: { 'content-type': 'application/cloudevents+json; charset=utf-8', ...headers } }],
    });
  }

  const processed = (eventId: string) =>
    waitUntil(async () => ((await app.ds.query(`SELECT 1 FROM inbox_messages WHERE event_id = $1`, [eventId])) as unknown[]).length > 0, 20_000);
  const author = async (id: string): Promise<AuthorRow | undefined> =>
    ((await app.ds.query(`SELECT display_name, is_active, identity_version FROM authors WHERE id = $1`, [id])) as AuthorRow[])[0];
  const registered = (userId: string, displayName: string) => ({
    userId,
    email: `${userId}@example.com`,
    displayName,
    language: 'en',
    role: 'member',
    registeredAt: new Date().toISOString(),
  });

  it('UserRegistered creates the author: id and display name only', async () => {
    const userId = uuidv7();
    await processed(await publish(REGISTERED, userId, 1, registered(userId, '  Ann Writer ')));
    expect(await author(userId)).toEqual({ display_name: 'Ann Writer', is_active: true, identity_version: 1 });
    const columns: Array<{ column_name: string }> = await app.ds.query(
      `SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'authors'`,
    );
    expect(columns.map((c) => c.column_name)).not.toContain('email');
  });

  it('a redelivered event changes nothing; so does the same fact under another event id, or an older version', async () => {
    const userId = uuidv7();
    const first = await publish(REGISTERED, userId, 1, registered(userId, 'Bea'));
    await processed(first);
    await processed(await publish(PROFILE_UPDATED, userId, 2, { userId, displayName: 'Bea Two', language: 'en', changedFields: ['displayName'] }));

    await publish(REGISTERED, userId, 1, registered(userId, 'Bea'), { id: first }); // redelivery: same event id
    const imposter = await publish(REGISTERED, userId, 1, registered(userId, 'Not Bea')); // same version, new id
    const older = await publish(PROFILE_UPDATED, userId, 2, { userId, displayName: 'Bea Again', language: 'en' });
    const marker = await publish(AUTHENTICATED, userId, 3, { userId, method: 'AUTHENTICATION_METHOD_PASSWORD' }); // ignored type
    await Promise.all([processed(imposter), processed(older), processed(marker)]);
    expect(await author(userId)).toEqual({ display_name: 'Bea Two', is_active: true, identity_version: 2 });
    const inbox: Array<{ n: string }> = await app.ds.query(`SELECT count(*) AS n FROM inbox_messages WHERE event_id = $1`, [first]);
    expect(Number(inbox[0]!.n)).toBe(1);
  });

  it('out of order: a profile update that overtook the registration wins over it', async () => {
    const userId = uuidv7();
    await processed(await publish(PROFILE_UPDATED, userId, 3, { userId, displayName: 'Cy Three', language: 'en', changedFields: ['displayName'] }));
    expect(await author(userId)).toEqual({ display_name: 'Cy Three', is_active: true, identity_version: 3 });
    await processed(await publish(REGISTERED, userId, 1, registered(userId, 'Cy')));
    await processed(await publish(PROFILE_UPDATED, userId, 2, { userId, displayName: 'Cy Two', language: 'en' }));
    expect(await author(userId)).toEqual({ display_name: 'Cy Three', is_active: true, identity_version: 3 });
  });

  it('a malformed payload goes to the prefixed dlq.story with the error headers, and the partition moves on', async () => {
    const userId = uuidv7();
    const noName = await publish(REGISTERED, userId, 1, { userId, email: 'x@example.com' });
    const wrongSubject = await publish(REGISTERED, userId, 1, registered(uuidv7(), 'Someone else'));
    await sendRaw(userId, '{ not json');
    const good = await publish(REGISTERED, userId, 1, registered(userId, 'Dee'));
    await processed(good);
    expect(await author(userId)).toEqual({ display_name: 'Dee', is_active: true, identity_version: 1 });

    await waitUntil(() => deadLetters.filter((d) => d.key === userId).length >= 3, 20_000);
    const mine = deadLetters.filter((d) => d.key === userId);
    expect(mine.map((d) => d.headers.ce_id ?? 'raw')).toEqual([noName, wrongSubject, 'raw']);
    for (const d of mine) {
      expect(d.headers['x-original-topic']).toBe(app.sandbox.topic('identity.user.events'));
      expect(d.headers['x-error']).toEqual(expect.any(String));
      expect(d.headers['x-error-at']).toEqual(expect.any(String));
      expect(d.headers['x-attempts']).toBe('1');
      expect(d.headers['x-original-partition']).toMatch(/^\d+$/);
      expect(d.headers['x-original-offset']).toMatch(/^\d+$/);
    }
    expect(mine[0]!.headers['x-error']).toMatch(/displayName/);
    expect(mine[1]!.headers['x-error']).toMatch(/subject/);
    expect(JSON.parse(mine[0]!.value).id).toBe(noName); // the original message, unchanged
  });

  it('UserDeactivated anonymises the author for good, forgets the follows both ways (AuthorUnfollowed) and archives their stories', async () => {
    const [ann, bob] = [uuidv7(), uuidv7()];
    await processed(await publish(REGISTERED, ann, 1, registered(ann, 'Ann Private')));
    await processed(await publish(REGISTERED, bob, 1, registered(bob, 'Bob')));
    // Ann follows Bob (through the service's own follow path: an authorised call would need identity's keys)
    await app.ds.query(`INSERT INTO story_followers (author_id, follower_id, followed_at) VALUES ($1, $2, now())`, [bob, ann]);

    await processed(await publish(DEACTIVATED, ann, 2, { userId: ann, deactivatedAt: new Date().toISOString() }));
    expect(await author(ann)).toEqual({ display_name: 'Former author', is_active: false, identity_version: 2 });
    expect(await app.ds.query(`SELECT 1 FROM story_followers WHERE follower_id = $1`, [ann])).toEqual([]);
    const bobEvents = await outboxOf(app.ds, bob);
    expect(bobEvents.map((e) => [e.type, e.version, e.data.followerId])).toEqual([['storytelling.story.author.unfollowed.v1', 1, ann]]);
    const names: Array<{ n: string }> = await app.ds.query(`SELECT count(*) AS n FROM authors WHERE display_name = 'Ann Private'`);
    expect(Number(names[0]!.n)).toBe(0);

    // later profile events cannot bring the name back
    await processed(await publish(PROFILE_UPDATED, ann, 3, { userId: ann, displayName: 'Ann Returns', language: 'en' }));
    expect((await author(ann))!.display_name).toBe('Former author');

    // who followed Ann is forgotten too, and her stories are archived (unreadable)
    const cid = uuidv7();
    await processed(await publish(REGISTERED, cid, 1, registered(cid, 'Cid')));
    const dee = uuidv7();
    await processed(await publish(REGISTERED, dee, 1, registered(dee, 'Dee Private')));
    await app.ds.query(`INSERT INTO story_followers (author_id, follower_id, followed_at) VALUES ($1, $2, now())`, [dee, cid]);
    const stories = [uuidv7(), uuidv7()];
    for (const [i, id] of stories.entries()) {
      await app.ds.query(
        `INSERT INTO stories (id, title, content, content_hash, author_id, status, version) VALUES ($1, $2, 'Once upon a time.', $3, $4, $5, 1)`,
        [id, `Dee's story ${i}`, 'a'.repeat(64), dee, i === 0 ? 'draft' : 'published'],
      );
    }
    await processed(await publish(DEACTIVATED, dee, 2, { userId: dee }));
    expect(await app.ds.query(`SELECT 1 FROM story_followers WHERE author_id = $1 OR follower_id = $1`, [dee])).toEqual([]);
    const statuses: Array<{ status: string }> = await app.ds.query(`SELECT status FROM stories WHERE author_id = $1`, [dee]);
    expect(statuses.map((r) => r.status)).toEqual(['archived', 'archived']);
    const deeEvents = await outboxOf(app.ds, dee);
    expect(deeEvents.filter((e) => e.type === 'storytelling.story.author.unfollowed.v1').map((e) => e.data.followerId)).toEqual([cid]);
    for (const id of stories) {
      expect((await outboxOf(app.ds, id)).map((e) => [e.type, e.data.archivedBy])).toEqual([['storytelling.story.story.archived.v1', dee]]);
    }

    // a deactivation that arrives first leaves an anonymous author behind
    const ghost = uuidv7();
    await processed(await publish(DEACTIVATED, ghost, 4, { userId: ghost }));
    await processed(await publish(REGISTERED, ghost, 1, registered(ghost, 'Ghost Name')));
    expect(await author(ghost)).toEqual({ display_name: 'Former author', is_active: false, identity_version: 4 });
  });
});
