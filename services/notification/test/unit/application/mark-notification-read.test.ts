import { MarkNotificationReadCommand } from '../../../src/application/index.js';
import { failure, unitApp } from '../../support/unit-app.js';

describe('MarkNotificationRead', () => {
  it('the owner marks an in-app notification read once (idempotent); anyone else, or no id, is NOT_FOUND', async () => {
    const app = unitApp();
    const [ann, bob] = [await app.recipient('Ann'), await app.recipient('Bob')];
    const [welcome] = app.notificationsOf(ann.userId);
    const readAt = app.clock.now();
    await app.markNotificationRead.execute(new MarkNotificationReadCommand(ann, welcome!.id.toUpperCase()));
    app.clock.advance(5_000);
    await app.markNotificationRead.execute(new MarkNotificationReadCommand(ann, welcome!.id));
    expect(app.uow.tables.notifications.get(welcome!.id)!.readAt).toEqual(readAt);
    expect(await failure(app.markNotificationRead.execute(new MarkNotificationReadCommand(bob, welcome!.id)))).toBe('not_found:NOTIFICATION_NOT_FOUND');
    expect(await failure(app.markNotificationRead.execute(new MarkNotificationReadCommand(ann, 'not-an-id')))).toBe('not_found:NOTIFICATION_NOT_FOUND');
    expect(app.notificationsOf(bob.userId)[0]!.readAt).toBeNull();
  });
});
