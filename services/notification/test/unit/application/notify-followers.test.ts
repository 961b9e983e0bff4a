import { NotifyFollowersCommand, UpdatePreferencesCommand } from '../../../src/application/index.js';
import { failure, unitApp, userId, type UnitApp } from '../../support/unit-app.js';

describe('NotifyFollowers (StoryPublished)', () => {
  let app: UnitApp;
  beforeEach(() => (app = unitApp()));

  it('notifies every follower once over several pages, never the author, honouring muted types and skipping unknown users', async () => {
    const author = await app.recipient('Writer');
    const [uno, dos, tres, muter] = [await app.recipient('Uno'), await app.recipient('Dos', 'es'), await app.recipient('Tres'), await app.recipient('Mute')];
    await app.updatePreferences.execute(new UpdatePreferencesCommand(muter, { email: true, sms: false, inApp: true, mutedTypes: ['story_published'], quietHours: null, phone: null }));
    const unknown = userId();
    app.followers.byAuthor.set(author.userId, [uno.userId, author.userId, dos.userId, unknown, tres.userId, muter.userId]);
    const [storyId, eventId] = [userId(), userId()];

    const result = await app.notifyFollowers.execute(new NotifyFollowersCommand(storyId, author.userId, 'Writer', 'The <Fox>', eventId));
    expect(result).toEqual({ pages: 3, planned: 3 });
    expect(app.followers.calls.map((c) => [c.cursor, c.limit])).toEqual([[undefined, 2], ['2', 2], ['4', 2]]);
    const notified = [...app.uow.tables.deliveries.values()].filter((d) => d.sourceEventId === eventId);
    expect([...new Set(notified.map((d) => d.recipientId))].sort()).toEqual([uno.userId, dos.userId, tres.userId].sort());
    expect(notified).toHaveLength(6); // email + in-app each
    expect(app.notificationsOf(dos.userId).find((n) => n.type === 'story_published')).toMatchObject({
      title: 'Nueva historia de Writer',
      link: `https://stories.example.test/stories/${storyId}`,
      data: { storyId, title: 'The <Fox>', authorName: 'Writer' },
    });

    // Redelivered (the inbox lost it): the same pages, nothing written twice.
    expect(await app.notifyFollowers.execute(new NotifyFollowersCommand(storyId, author.userId, 'Writer', 'The <Fox>', eventId))).toEqual({ pages: 3, planned: 0 });
    expect([...app.uow.tables.deliveries.values()].filter((d) => d.sourceEventId === eventId)).toHaveLength(6);
  });

  it('a failed page rolls the whole publication back, so the retry starts over', async () => {
    const author = await app.recipient('Writer');
    const [uno, dos, tres] = [await app.recipient('Uno'), await app.recipient('Dos'), await app.recipient('Tres')];
    app.followers.byAuthor.set(author.userId, [uno.userId, dos.userId, tres.userId]);
    app.followers.failOnPage = 2;
    const eventId = userId();
    expect(await failure(app.notifyFollowers.execute(new NotifyFollowersCommand(userId(), author.userId, 'Writer', 'T', eventId)))).toBe('Error');
    expect([...app.uow.tables.deliveries.values()].filter((d) => d.sourceEventId === eventId)).toEqual([]);
  });

  it('refuses a publication without valid ids or a title', async () => {
    const author = await app.recipient('Writer');
    expect(await failure(app.notifyFollowers.execute(new NotifyFollowersCommand(userId(), 'x', 'Writer', 'T', userId())))).toBe('validation:VALIDATION_FAILED');
    expect(await failure(app.notifyFollowers.execute(new NotifyFollowersCommand('x', author.userId, 'Writer', 'T', userId())))).toBe('validation:VALIDATION_FAILED');
    expect(await failure(app.notifyFollowers.execute(new NotifyFollowersCommand(userId(), author.userId, 'Writer', '  ', userId())))).toBe('validation:VALIDATION_FAILED');
    expect(app.followers.calls).toEqual([]);
  });
});
