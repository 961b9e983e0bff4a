import { DeactivateRecipientCommand, NotifySubscriberCommand, UpdatePreferencesCommand } from '../../../src/application/index.js';
import { NotificationEventTypes, quotaNoticeKey, type Notice } from '../../../src/domain/index.js';
import { failure, unitApp, userId, type UnitApp } from '../../support/unit-app.js';

const quietNoon = { start: '11:00', end: '13:00', timeZone: 'UTC' }; // the clock says 12:00Z
const quota = (resource: string, periodStart: string, used: number | string = 3): Notice => ({
  type: 'quota_exceeded',
  tier: 'free',
  resource,
  used: used as number,
  limit: 3,
  periodStart,
  occurredAt: '2026-03-10T12:00:00Z',
});

describe('NotifySubscriber (PaymentFailed, SubscriptionActivated, QuotaExceeded)', () => {
  let app: UnitApp;
  beforeEach(() => (app = unitApp()));

  async function quietSubscriber(mutedTypes: string[] = []) {
    const ann = await app.recipient('Ann');
    await app.updatePreferences.execute(new UpdatePreferencesCommand(ann, { email: true, sms: false, inApp: true, mutedTypes, quietHours: quietNoon, phone: null }));
    return ann;
  }

  it('a failed payment is urgent: email due now despite quiet hours, in-app stored with NotificationSent', async () => {
    const ann = await quietSubscriber();
    const eventId = userId();
    const outcome = await app.notifySubscriber.execute(new NotifySubscriberCommand(ann.userId, eventId, { type: 'payment_failed', amountMinor: '1250', currency: 'eur', message: '', reason: 'card_declined' }));
    expect(outcome).toBe('created');
    const email = app.deliveriesOf(ann.userId).find((d) => d.sourceEventId === eventId && d.channel === 'email')!;
    expect(email).toMatchObject({ type: 'payment_failed', status: 'pending', nextAttemptAt: app.clock.now() });
    const notice = app.notificationsOf(ann.userId).find((n) => n.sourceEventId === eventId)!;
    expect(notice.data).toEqual({ amount: '12.50', currency: 'EUR', message: 'card_declined' });
    expect(notice.link).toBe('https://stories.example.test/account/billing');
    expect(app.eventsOfType(NotificationEventTypes.NotificationSent).filter((e) => e.aggregateId === notice.id)).toHaveLength(1);
  });

  it('an activation waits for the end of quiet hours by email, in-app at once; redelivered, nothing twice', async () => {
    const ann = await quietSubscriber();
    const eventId = userId();
    const command = new NotifySubscriberCommand(ann.userId, eventId, { type: 'subscription_activated', tier: 'gold', currentPeriodEnd: '2026-04-10T00:00:00Z' });
    await app.notifySubscriber.execute(command);
    expect(await app.notifySubscriber.execute(command)).toBe('duplicate');
    const rows = app.deliveriesOf(ann.userId).filter((d) => d.sourceEventId === eventId);
    expect(rows.map((d) => [d.channel, d.status, d.nextAttemptAt?.toISOString() ?? null]).sort()).toEqual([
      ['email', 'scheduled', '2026-03-10T13:00:00.000Z'],
      ['in_app', 'sent', null],
    ]);
    expect(app.notificationsOf(ann.userId).find((n) => n.sourceEventId === eventId)!.data).toEqual({ tier: 'gold', periodEnd: '2026-04-10' });
  });

  it('one quota notice per (user, resource, period): repeats are dropped, another resource or the next period notify again', async () => {
    const ann = await app.recipient('Ann');
    const notices = () => app.notificationsOf(ann.userId).filter((n) => n.type === 'quota_exceeded');
    expect(await app.notifySubscriber.execute(new NotifySubscriberCommand(ann.userId, userId(), quota('stories', '2026-03-01T00:00:00Z')))).toBe('created');
    expect(await app.notifySubscriber.execute(new NotifySubscriberCommand(ann.userId, userId(), quota('stories', '2026-03-01T00:00:00.000Z')))).toBe('duplicate');
    await app.notifySubscriber.execute(new NotifySubscriberCommand(ann.userId, userId(), quota('narrations', '2026-03-01T00:00:00Z')));
    await app.notifySubscriber.execute(new NotifySubscriberCommand(ann.userId, userId(), quota('stories', '2026-04-01T00:00:00Z')));
    expect(notices().map((n) => n.sourceEventId)).toEqual([
      quotaNoticeKey(ann.userId, 'stories', '2026-03-01T00:00:00.000Z'),
      quotaNoticeKey(ann.userId, 'narrations', '2026-03-01T00:00:00.000Z'),
      quotaNoticeKey(ann.userId, 'stories', '2026-04-01T00:00:00.000Z'),
    ]);
    // Without periodStart (older producers): the UTC month of the event.
    await app.notifySubscriber.execute(new NotifySubscriberCommand(ann.userId, userId(), quota('videos', '')));
    expect(notices().at(-1)!.sourceEventId).toBe(quotaNoticeKey(ann.userId, 'videos', '2026-03-month'));
    expect(notices()[0]!.data).toEqual({ tier: 'free', resource: 'stories', used: 3, limit: 3 });
  });

  it('a subscriber identity has not told us about yet is retried (RecipientNotYetKnownError), nothing written', async () => {
    const stranger = userId();
    expect(await failure(app.notifySubscriber.execute(new NotifySubscriberCommand(stranger, userId(), { type: 'subscription_activated', tier: 'gold', currentPeriodEnd: '' })))).toBe(
      'RecipientNotYetKnownError',
    );
    expect(app.uow.tables.notifications.size).toBe(0);
  });

  it('muted types and erased recipients get nothing', async () => {
    const ann = await quietSubscriber(['quota_exceeded']);
    expect(await app.notifySubscriber.execute(new NotifySubscriberCommand(ann.userId, userId(), quota('stories', '2026-03-01T00:00:00Z')))).toBe('no_channel');
    const bob = await app.recipient('Bob');
    await app.deactivateRecipient.execute(new DeactivateRecipientCommand(bob.userId, 2));
    expect(await app.notifySubscriber.execute(new NotifySubscriberCommand(bob.userId, userId(), quota('stories', '2026-03-01T00:00:00Z')))).toBe('inactive');
    expect(app.notificationsOf(ann.userId).concat(app.notificationsOf(bob.userId)).map((n) => n.type)).toEqual(['welcome', 'welcome']);
  });

  it('refuses what the producers never send: a user id, an amount, a count or a period that is not one', async () => {
    const ann = await app.recipient('Ann');
    const refused = (userIdValue: string, notice: Notice) => failure(app.notifySubscriber.execute(new NotifySubscriberCommand(userIdValue, userId(), notice)));
    expect(await refused('not-a-uuid', { type: 'subscription_activated', tier: 'gold', currentPeriodEnd: '' })).toBe('validation:VALIDATION_FAILED');
    expect(await refused(ann.userId, { type: 'payment_failed', amountMinor: '9.99', currency: 'EUR', message: 'x', reason: '' })).toBe('validation:VALIDATION_FAILED');
    expect(await refused(ann.userId, quota('stories', '2026-03-01T00:00:00Z', Number('lots')))).toBe('validation:VALIDATION_FAILED');
    expect(await refused(ann.userId, quota('stories', 'soon'))).toBe('validation:VALIDATION_FAILED');
    expect(app.notificationsOf(ann.userId).map((n) => n.type)).toEqual(['welcome']);
  });
});
