import { NotifySubscriberCommand, SendDueDeliveriesCommand, UpdatePreferencesCommand } from '../../../src/application/index.js';
import { NotificationEventTypes } from '../../../src/domain/index.js';
import { unitApp, userId, type UnitApp } from '../../support/unit-app.js';

describe('SendDueDeliveries (one sender round)', () => {
  let app: UnitApp;
  beforeEach(() => (app = unitApp()));
  const round = () => app.sendDueDeliveries.execute(new SendDueDeliveriesCommand());

  it('sends a due email with a stable Message-ID, then records sent with NotificationSent in one unit', async () => {
    const ann = await app.recipient('Ann');
    expect(await round()).toEqual({ sent: 1, retried: 0, failed: 0, skipped: 0 });
    const [mail] = app.email.sent;
    const email = app.deliveriesOf(ann.userId).find((d) => d.channel === 'email')!;
    expect(mail).toMatchObject({ to: ann.email, subject: 'Welcome to Storytelling, Ann', messageId: `<${email.id}@notification.storytelling>` });
    expect(mail!.html).toContain('<a href="https://stories.example.test/stories">');
    expect(email).toMatchObject({ status: 'sent', attempts: 1, providerMessageId: mail!.messageId, sentAt: app.clock.now(), nextAttemptAt: null });
    const sent = app.eventsOfType(NotificationEventTypes.NotificationSent).map((e) => [e.data.channel, e.version, e.data.attempts]);
    expect(sent).toEqual([['in_app', 1, 1], ['email', 2, 1]]);
    expect(await round()).toEqual({ sent: 0, retried: 0, failed: 0, skipped: 0 });
  });

  it('a provider outage retries with backoff, then gives up after maxAttempts with NotificationFailed', async () => {
    const ann = await app.recipient('Ann');
    app.email.down = true;
    const email = () => app.deliveriesOf(ann.userId).find((d) => d.channel === 'email')!;
    expect(await round()).toMatchObject({ retried: 1 });
    expect(email()).toMatchObject({ status: 'pending', attempts: 1, lastError: 'Error: SMTP relay unavailable', nextAttemptAt: new Date(app.clock.now().getTime() + 60_000) });
    expect(await round()).toMatchObject({ retried: 0 }); // not due before the backoff
    app.clock.advance(60_000);
    expect(await round()).toMatchObject({ retried: 1 });
    expect(email().nextAttemptAt).toEqual(new Date(app.clock.now().getTime() + 120_000));
    app.clock.advance(120_000);
    expect(await round()).toMatchObject({ failed: 1 });
    expect(email()).toMatchObject({ status: 'failed', attempts: 3, nextAttemptAt: null });
    expect(app.eventsOfType(NotificationEventTypes.NotificationFailed)).toEqual([
      expect.objectContaining({ aggregateId: email().notificationId, version: 2, data: expect.objectContaining({ attempts: 3, error: 'Error: SMTP relay unavailable', channel: 'email' }) }),
    ]);
    expect(app.email.sent).toEqual([]);
  });

  it('a claim that was never finished (a crashed replica) is due again only when its lease ends: one send', async () => {
    const ann = await app.recipient('Ann');
    const now = app.clock.now();
    await app.uow.reader.deliveries.claimDue(now, new Date(now.getTime() + 30_000), 10);
    expect(await round()).toMatchObject({ sent: 0 });
    app.clock.advance(30_000);
    expect(await round()).toMatchObject({ sent: 1 });
    expect(app.deliveriesOf(ann.userId).find((d) => d.channel === 'email')).toMatchObject({ status: 'sent', attempts: 2 });
    expect(app.email.sent).toHaveLength(1);
  });

  it('held deliveries wait for quiet hours to end; SMS goes to the phone in the recipient language', async () => {
    const ana = await app.recipient('Ana', 'es');
    await round(); // the welcome
    await app.updatePreferences.execute(
      new UpdatePreferencesCommand(ana, { email: false, sms: true, inApp: false, mutedTypes: [], quietHours: { start: '11:00', end: '13:00', timeZone: 'UTC' }, phone: '+34600111222' }),
    );
    await app.notifySubscriber.execute(new NotifySubscriberCommand(ana.userId, userId(), { type: 'subscription_activated', tier: 'gold', currentPeriodEnd: '2026-04-10T00:00:00Z' }));
    expect(await round()).toMatchObject({ sent: 0 });
    app.clock.set(new Date('2026-03-10T13:00:00Z'));
    expect(await round()).toMatchObject({ sent: 1 });
    expect(app.sms.sent).toEqual([{ to: '+34600111222', body: 'Storytelling: tu suscripción gold está activa. https://stories.example.test/account/subscription', reference: expect.any(String) }]);
  });

  it('skips what the recipient turned off after it was planned', async () => {
    const ann = await app.recipient('Ann');
    await app.updatePreferences.execute(new UpdatePreferencesCommand(ann, { email: true, sms: false, inApp: true, mutedTypes: ['welcome'], quietHours: null, phone: null }));
    expect(await round()).toEqual({ sent: 0, retried: 0, failed: 0, skipped: 1 });
    expect(app.deliveriesOf(ann.userId).find((d) => d.channel === 'email')).toMatchObject({ status: 'skipped', lastError: 'turned off in preferences' });
    expect(app.email.sent).toEqual([]);
  });
});
