// CreateStory's storiesPerMonth check against a fake subscription gRPC peer, and its
// Idempotency-Key, with real identity tokens, Postgres and Kafka.
import { EventProbe, waitUntil } from '@storytelling/testing';
import { as, outcome, registerUser, startStack, type RunningStack, type TestUser } from '../support/app-harness.js';

describe('CreateStory: quota (subscription CheckQuota + own count) and Idempotency-Key', () => {
  let stack: RunningStack;
  let events: EventProbe;

  beforeAll(async () => {
    stack = await startStack('quota');
    events = await EventProbe.start('story.story.events', { topicPrefix: stack.sandbox.topicPrefix });
  });
  afterAll(async () => {
    await stack?.close();
    await events?.close();
  });
  afterEach(() => stack.subscription.reset());

  const create = (user: TestUser, title = 'A tale', metadata: Record<string, string> = {}) =>
    stack.client.createStory({ title, content: 'Once upon a time.' }, { metadata: { ...as(user).metadata, ...metadata } });
  const count = async (user: TestUser): Promise<number> =>
    Number(((await stack.ds.query(`SELECT count(*) AS n FROM stories WHERE author_id = $1`, [user.id])) as Array<{ n: string }>)[0]!.n);

  it('asks CheckQuota with the caller’s own token for one story, and refuses at the limit (FAILED_PRECONDITION/QUOTA_EXCEEDED)', async () => {
    const ann = await registerUser(stack, 'Ann', false);
    stack.subscription.limit = 2;
    await create(ann);
    stack.subscription.used = 1; // subscription has counted the first StoryCreated
    await create(ann);
    stack.subscription.used = 2;
    expect(await outcome(create(ann))).toBe('FAILED_PRECONDITION:QUOTA_EXCEEDED');
    expect(await count(ann)).toBe(2);
    expect(stack.subscription.calls.at(-1)).toEqual({
      request: { userId: '', resource: 'stories', amount: 1 },
      authorization: `Bearer ${ann.token}`,
    });
  });

  it('bounds the window while subscription lags: its count says 0 but story counts its own stories', async () => {
    const bob = await registerUser(stack, 'Bob', false);
    stack.subscription.limit = 2; // used stays 0: no StoryCreated counted yet
    await create(bob);
    await create(bob);
    expect(await outcome(create(bob))).toBe('FAILED_PRECONDITION:QUOTA_EXCEEDED');
    expect(await count(bob)).toBe(2);
  });

  it('10 concurrent creations with a limit of 3 create exactly 3', async () => {
    const cy = await registerUser(stack, 'Cy', false);
    stack.subscription.limit = 3;
    const outcomes = await Promise.all(Array.from({ length: 10 }, (_, i) => outcome(create(cy, `Tale ${i}`))));
    expect(outcomes.filter((o) => o === 'ok')).toHaveLength(3);
    expect(outcomes.filter((o) => o === 'FAILED_PRECONDITION:QUOTA_EXCEEDED')).toHaveLength(7);
    expect(await count(cy)).toBe(3);
  });

  it('stories before the period start do not count; an unlimited tier is never refused', async () => {
    const dee = await registerUser(stack, 'Dee', false);
    await create(dee);
    await stack.ds.query(`UPDATE stories SET created_at = now() - interval '40 days' WHERE author_id = $1`, [dee.id]);
    stack.subscription.limit = 1;
    stack.subscription.periodStart = new Date(Date.now() - 86_400_000);
    await create(dee);
    expect(await outcome(create(dee))).toBe('FAILED_PRECONDITION:QUOTA_EXCEEDED');
    stack.subscription.limit = undefined;
    await create(dee);
    expect(await count(dee)).toBe(3);
  });

  it('subscription unreachable: fails closed with UNAVAILABLE/DEPENDENCY_UNAVAILABLE and creates nothing', async () => {
    const eve = await registerUser(stack, 'Eve', false);
    stack.subscription.unavailable = true;
    expect(await outcome(create(eve))).toBe('UNAVAILABLE:DEPENDENCY_UNAVAILABLE');
    expect(await count(eve)).toBe(0);
  });

  it('Idempotency-Key: same key and body → the first story (one row, one event); other body → ALREADY_EXISTS/IDEMPOTENCY_KEY_REUSED; no key → two', async () => {
    const fay = await registerUser(stack, 'Fay', false);
    const key = { 'idempotency-key': `create-${fay.id}` };
    const first = await create(fay, 'Once', key);
    const again = await create(fay, 'Once', key);
    expect(again).toEqual(first);
    expect(await outcome(create(fay, 'Another title', key))).toBe('ALREADY_EXISTS:IDEMPOTENCY_KEY_REUSED');
    expect(await count(fay)).toBe(1);

    // A replay is the first answer even once the quota is used up.
    stack.subscription.limit = 1;
    stack.subscription.used = 1;
    expect(await create(fay, 'Once', key)).toEqual(first);
    stack.subscription.reset();

    await create(fay, 'Twice');
    await create(fay, 'Twice');
    expect(await count(fay)).toBe(3);
    await waitUntil(() => events.received.filter((e) => (e.envelope.data as { authorId?: string }).authorId === fay.id).length >= 3, 20_000);
    await new Promise((r) => setTimeout(r, 300));
    const created = events.received.filter((e) => e.envelope.type === 'storytelling.story.story.created.v1' && (e.envelope.data as { authorId?: string }).authorId === fay.id);
    expect(created.filter((e) => e.envelope.subject === first.story!.id)).toHaveLength(1);
  });

  it('concurrent requests with one key create one story and all get it', async () => {
    const gus = await registerUser(stack, 'Gus', false);
    const key = { 'idempotency-key': `race-${gus.id}` };
    const results = await Promise.all(Array.from({ length: 6 }, () => create(gus, 'Race', key)));
    expect(new Set(results.map((r) => r.story!.id)).size).toBe(1);
    expect(await count(gus)).toBe(1);
  });
});
