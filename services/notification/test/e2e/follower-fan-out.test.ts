import { uuidv7 } from '@storytelling/kernel';
import { grpcOutcome as outcome, waitUntil } from '@storytelling/testing';
import { as, PUBLIC_WEB_URL, registerUser, startStack, type Stack, type TestUser } from '../support/harness.js';
import { TestKafka } from '../support/kafka.js';

const PUBLISHED = 'storytelling.story.story.published.v1';

/**
 * StoryPublished fan-out against the real story service (in process): followers paged through
 * ListFollowers two at a time, with a service token identity issues to notification.
 */
describe('StoryPublished → every follower of the author (identity + story + notification in process)', () => {
  let stack: Stack;
  let kafka: TestKafka;
  let author: TestUser;
  let followers: TestUser[];

  beforeAll(async () => {
    stack = await startStack('fanout', { withStory: true, notificationEnv: { NOTIFICATION_FOLLOWERS_PAGE_SIZE: '2' } });
    kafka = await TestKafka.start(stack.sandbox);
    author = await registerUser(stack, 'Writer');
    followers = [];
    for (const [i, name] of ['Uno', 'Dos', 'Tres', 'Cuatro', 'Cinco'].entries()) followers.push(await registerUser(stack, name, i % 2 === 0 ? 'es' : 'en'));
    for (const f of followers) {
      // story learns about users from the same UserRegistered: AUTHOR_NOT_READY (503) until it has.
      await waitUntil(async () => (await outcome(stack.storyClient!.followAuthor({ authorId: author.id }, as(f.token)))) === 'ok', 20_000);
    }
    const muter = followers[4]!;
    await stack.client.updatePreferences({ preferences: { email: true, sms: false, inApp: true, mutedTypes: ['story_published'], phone: '' } }, as(muter.token));
  });

  afterAll(async () => {
    await kafka?.close();
    await stack?.close();
  });

  const published = (storyId: string, id?: string) =>
    kafka.publish(
      'story.story.events',
      PUBLISHED,
      storyId,
      { storyId, authorId: author.id, authorName: 'Writer', title: 'The <Fox>', language: 'en', publicationId: uuidv7(), publishedAt: new Date().toISOString() },
      id ? { id } : {},
    );

  const processed = (eventId: string) =>
    waitUntil(async () => ((await stack.ds.query(`SELECT 1 FROM inbox_messages WHERE event_id = $1`, [eventId])) as unknown[]).length > 0, 30_000);

  it('notifies each follower once over several pages, in their language, honouring muted types', async () => {
    const storyId = uuidv7();
    const eventId = await published(storyId);
    await processed(eventId);
    const rows = (await stack.ds.query(`SELECT recipient_id, channel FROM deliveries WHERE source_event_id = $1 ORDER BY recipient_id, channel`, [eventId])) as Array<{ recipient_id: string; channel: string }>;
    const notified = [...new Set(rows.map((r) => r.recipient_id))].sort();
    expect(notified).toEqual(followers.slice(0, 4).map((f) => f.id).sort()); // not the muter, not the author
    expect(rows).toHaveLength(8); // email + in-app each

    for (const [i, f] of followers.slice(0, 4).entries()) {
      await waitUntil(() => stack.smtp.to(f.email).some((m) => m.html.includes(`/stories/${storyId}`)), 20_000);
      const mail = stack.smtp.to(f.email).find((m) => m.html.includes(`/stories/${storyId}`))!;
      expect(mail.subject).toBe(i % 2 === 0 ? 'Writer ha publicado «The <Fox>»' : 'Writer published "The <Fox>"');
      expect(mail.html).toContain('The &lt;Fox&gt;');
      expect(mail.html).toContain(`href="${PUBLIC_WEB_URL}/stories/${storyId}"`);
    }
    expect(stack.smtp.to(followers[4]!.email).filter((m) => m.html.includes(storyId))).toEqual([]);
    const list = await stack.client.listNotifications({ page: { limit: 5, cursor: '' }, unreadOnly: false }, as(followers[1]!.token));
    expect(list.notifications[0]).toMatchObject({ type: 'story_published', title: 'New story by Writer', body: '"The <Fox>"', link: `${PUBLIC_WEB_URL}/stories/${storyId}` });

    // Redelivered past the inbox: nothing twice.
    await stack.ds.query(`DELETE FROM inbox_messages WHERE event_id = $1`, [eventId]);
    await published(storyId, eventId);
    await processed(eventId);
    expect(((await stack.ds.query(`SELECT count(*)::int AS n FROM deliveries WHERE source_event_id = $1`, [eventId])) as Array<{ n: number }>)[0]!.n).toBe(8);
  });

  it('drafts and other story events notify nobody', async () => {
    const storyId = uuidv7();
    const created = await kafka.publish('story.story.events', 'storytelling.story.story.created.v1', storyId, { storyId, authorId: author.id, title: 'Draft' });
    await processed(created);
    expect(await stack.ds.query(`SELECT 1 FROM deliveries WHERE source_event_id = $1`, [created])).toEqual([]);
  });
});
