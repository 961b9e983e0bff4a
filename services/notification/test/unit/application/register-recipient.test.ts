import { NotificationEventTypes } from '../../../src/domain/index.js';
import { RegisterRecipientCommand } from '../../../src/application/index.js';
import { failure, unitApp, userId, WEB } from '../../support/unit-app.js';

describe('RegisterRecipient (UserRegistered)', () => {
  it('keeps the recipient with default preferences and plans the welcome: email pending, in-app sent with its event', async () => {
    const app = unitApp();
    const [id, eventId] = [userId(), userId()];
    await app.registerRecipient.execute(new RegisterRecipientCommand(id.toUpperCase(), '  ann@example.com ', ' Ann ', 'es-MX', 3, eventId));
    expect(app.uow.tables.recipients.get(id)).toEqual({
      id,
      email: 'ann@example.com',
      displayName: 'Ann',
      language: 'es-MX',
      active: true,
      identityVersion: 3,
      preferences: { email: true, sms: false, inApp: true, mutedTypes: [], quietHours: null, phone: null },
    });
    const deliveries = app.deliveriesOf(id);
    expect(deliveries.map((d) => [d.type, d.channel, d.status, d.sourceEventId]).sort()).toEqual([
      ['welcome', 'email', 'pending', eventId],
      ['welcome', 'in_app', 'sent', eventId],
    ]);
    const [welcome] = app.notificationsOf(id);
    expect(welcome).toMatchObject({ type: 'welcome', inApp: true, title: 'Hola, Ann', link: `${WEB}/stories` });
    const sent = app.eventsOfType(NotificationEventTypes.NotificationSent);
    expect(sent).toEqual([expect.objectContaining({ aggregateId: welcome!.id, version: 1, data: expect.objectContaining({ channel: 'in_app', recipientId: id, sourceEventId: eventId }) })]);
    expect(app.uow.commits).toBe(1);
  });

  it('a redelivered registration writes nothing twice; a newer one refreshes the copy, an older one does not', async () => {
    const app = unitApp();
    const [id, eventId] = [userId(), userId()];
    await app.registerRecipient.execute(new RegisterRecipientCommand(id, 'ann@example.com', 'Ann', 'en', 2, eventId));
    await app.registerRecipient.execute(new RegisterRecipientCommand(id, 'ann@example.com', 'Ann', 'en', 2, eventId));
    expect(app.deliveriesOf(id)).toHaveLength(2);
    expect(app.uow.tables.outbox).toHaveLength(1);
    await app.registerRecipient.execute(new RegisterRecipientCommand(id, 'old@example.com', 'Old', 'en', 1, userId()));
    expect(app.uow.tables.recipients.get(id)).toMatchObject({ email: 'ann@example.com', identityVersion: 2 });
    await app.registerRecipient.execute(new RegisterRecipientCommand(id, 'new@example.com', 'New', 'fr', 5, eventId));
    expect(app.uow.tables.recipients.get(id)).toMatchObject({ email: 'new@example.com', displayName: 'New', language: 'fr', identityVersion: 5 });
  });

  it('an erased user stays erased and hears nothing', async () => {
    const app = unitApp();
    const id = userId();
    app.uow.tables.recipients.set(id, { id, email: null, displayName: null, language: 'en', active: false, identityVersion: 9, preferences: { email: true, sms: false, inApp: true, mutedTypes: [], quietHours: null, phone: null } });
    await app.registerRecipient.execute(new RegisterRecipientCommand(id, 'ann@example.com', 'Ann', 'en', 10, userId()));
    expect(app.uow.tables.recipients.get(id)).toMatchObject({ email: null, active: false });
    expect(app.deliveriesOf(id)).toEqual([]);
  });

  it('refuses a registration without a valid address, name or user id (nothing written)', async () => {
    const app = unitApp();
    expect(await failure(app.registerRecipient.execute(new RegisterRecipientCommand(userId(), 'not-an-address', 'Ann', 'en', 1, userId())))).toBe('validation:VALIDATION_FAILED');
    expect(await failure(app.registerRecipient.execute(new RegisterRecipientCommand(userId(), 'ann@example.com', '  ', 'en', 1, userId())))).toBe('validation:VALIDATION_FAILED');
    expect(await failure(app.registerRecipient.execute(new RegisterRecipientCommand('x', 'ann@example.com', 'Ann', 'en', 1, userId())))).toBe('validation:VALIDATION_FAILED');
    expect(app.uow.tables.recipients.size).toBe(0);
    expect(app.uow.commits).toBe(0);
  });
});
