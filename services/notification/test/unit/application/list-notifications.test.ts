import { ListNotificationsQuery, MarkNotificationReadCommand, NotifySubscriberCommand } from '../../../src/application/index.js';
import { unitApp, userId } from '../../support/unit-app.js';

describe('ListNotifications', () => {
  it("the caller's in-app notifications, newest first, page by page; unread only on request", async () => {
    const app = unitApp();
    const [ann, bob] = [await app.recipient('Ann'), await app.recipient('Bob')];
    for (const tier of ['silver', 'gold']) {
      app.clock.advance(1_000);
      await app.notifySubscriber.execute(new NotifySubscriberCommand(ann.userId, userId(), { type: 'subscription_activated', tier, currentPeriodEnd: '' }));
    }
    const page1 = await app.listNotifications.execute(new ListNotificationsQuery(ann, { limit: 2 }, false));
    expect(page1.items.map((n) => n.title)).toEqual(['Your gold subscription is active', 'Your silver subscription is active']);
    const page2 = await app.listNotifications.execute(new ListNotificationsQuery(ann, { limit: 2, cursor: page1.nextCursor! }, false));
    expect(page2.items.map((n) => n.type)).toEqual(['welcome']);
    expect(page2.nextCursor).toBeUndefined();

    await app.markNotificationRead.execute(new MarkNotificationReadCommand(ann, page2.items[0]!.id));
    const unread = await app.listNotifications.execute(new ListNotificationsQuery(ann, {}, true));
    expect(unread.items.map((n) => n.type)).toEqual(['subscription_activated', 'subscription_activated']);
    const bobs = await app.listNotifications.execute(new ListNotificationsQuery(bob, {}, false));
    expect(bobs.items.map((n) => n.recipientId)).toEqual([bob.userId]);
  });
});
