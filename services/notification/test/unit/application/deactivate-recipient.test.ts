import { DeactivateRecipientCommand, NotifySubscriberCommand, RegisterRecipientCommand, UpdatePreferencesCommand } from '../../../src/application/index.js';
import { unitApp, userId } from '../../support/unit-app.js';

describe('DeactivateRecipient (UserDeactivated)', () => {
  it('erases address, name and phone, skips what was waiting and clears the in-app texts', async () => {
    const app = unitApp();
    const ann = await app.recipient('Ann');
    await app.updatePreferences.execute(
      new UpdatePreferencesCommand(ann, { email: true, sms: true, inApp: true, mutedTypes: [], quietHours: null, phone: '+34600111222' }),
    );
    await app.notifySubscriber.execute(new NotifySubscriberCommand(ann.userId, userId(), { type: 'subscription_activated', tier: 'gold', currentPeriodEnd: '2026-04-10T00:00:00Z' }));
    expect(app.deliveriesOf(ann.userId).filter((d) => d.status === 'pending')).toHaveLength(3); // welcome email, activation email + SMS

    await app.deactivateRecipient.execute(new DeactivateRecipientCommand(ann.userId, 7));
    expect(app.uow.tables.recipients.get(ann.userId)).toMatchObject({ email: null, displayName: null, active: false, identityVersion: 7, preferences: expect.objectContaining({ phone: null, sms: false }) });
    const waiting = app.deliveriesOf(ann.userId).filter((d) => d.channel !== 'in_app');
    expect(waiting.map((d) => [d.status, d.lastError, d.nextAttemptAt])).toEqual(Array(3).fill(['skipped', 'recipient deactivated', null]));
    expect(app.notificationsOf(ann.userId).every((n) => n.title === null && n.body === null && Object.keys(n.data).length === 0)).toBe(true);
  });

  it('an unknown user is remembered as erased, so a late registration cannot bring the address back', async () => {
    const app = unitApp();
    const id = userId();
    await app.deactivateRecipient.execute(new DeactivateRecipientCommand(id, 4));
    expect(app.uow.tables.recipients.get(id)).toMatchObject({ active: false, email: null, identityVersion: 4 });
    await app.registerRecipient.execute(new RegisterRecipientCommand(id, 'late@example.com', 'Late', 'en', 1, userId()));
    expect(app.uow.tables.recipients.get(id)).toMatchObject({ active: false, email: null });
    expect(app.deliveriesOf(id)).toEqual([]);
  });
});
