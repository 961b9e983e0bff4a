import { DeactivateRecipientCommand, NotifyNarrationOwnerCommand, SendDueDeliveriesCommand, UpdatePreferencesCommand } from '../../../src/application/index.js';
import { NARRATION_REASON_LENGTH, NotificationEventTypes, noticeKey, type NarrationNotice } from '../../../src/domain/index.js';
import { failure, unitApp, userId, WEB, type UnitApp } from '../../support/unit-app.js';

const ready = (narrationId: string, storyId = userId()): NarrationNotice => ({ outcome: 'ready', narrationId, storyId });
const failed = (narrationId: string, reason: string, storyId = userId()): NarrationNotice => ({ outcome: 'failed', narrationId, storyId, reason });

describe('NotifyNarrationOwner (NarrationGenerated, NarrationFailed)', () => {
  let app: UnitApp;
  beforeEach(() => (app = unitApp()));

  const notify = (ownerId: string, notice: NarrationNotice, eventId = userId()) => app.notifyNarrationOwner.execute(new NotifyNarrationOwnerCommand(ownerId, eventId, notice));
  const narrationNotices = (ownerId: string) => app.notificationsOf(ownerId).filter((n) => n.type.startsWith('narration_'));

  it('a ready narration: in-app "Your narration is ready" at once with NotificationSent, the email pending; only ids kept', async () => {
    const ann = await app.recipient('Ann');
    const [narrationId, storyId] = [userId(), userId()];
    expect(await notify(ann.userId, ready(narrationId, storyId))).toBe('created');
    const [notice] = narrationNotices(ann.userId);
    expect(notice).toMatchObject({
      type: 'narration_ready',
      sourceEventId: noticeKey(`narration_ready:${narrationId}`),
      inApp: true,
      title: 'Your narration is ready',
      body: 'You can listen to it now.',
      link: `${WEB}/narrations/${narrationId}`,
      data: { narrationId, storyId },
    });
    const rows = app.deliveriesOf(ann.userId).filter((d) => d.type === 'narration_ready');
    expect(rows.map((d) => [d.channel, d.status]).sort()).toEqual([
      ['email', 'pending'],
      ['in_app', 'sent'],
    ]);
    expect(app.eventsOfType(NotificationEventTypes.NotificationSent).filter((e) => e.aggregateId === notice!.id)).toHaveLength(1);

    await app.sendDueDeliveries.execute(new SendDueDeliveriesCommand());
    const mail = app.email.sent.find((m) => m.to === ann.email && m.subject === 'Your narration is ready')!;
    expect(mail.text).toContain(`Listen to it: ${WEB}/narrations/${narrationId}`);
    expect(mail.html).toContain(`<a href="${WEB}/narrations/${narrationId}">Listen to it</a>`);
  });

  it('a failed narration says why, in the owner’s language; no reason: the generic one; a long one is cut', async () => {
    const ann = await app.recipient('Ann');
    await notify(ann.userId, failed(userId(), '  The voice provider\ndid not answer. '));
    expect(narrationNotices(ann.userId)[0]).toMatchObject({ type: 'narration_failed', title: 'Your narration could not be made', body: 'Reason: The voice provider did not answer.' });
    expect(narrationNotices(ann.userId)[0]!.data.reason).toBe('The voice provider did not answer.');

    const ana = await app.recipient('Ana', 'es-ES');
    await notify(ana.userId, failed(userId(), 'Segment 3 could not be synthesised.'));
    await notify(ana.userId, ready(userId()));
    expect(narrationNotices(ana.userId).map((n) => [n.title, n.body])).toEqual([
      ['No hemos podido crear tu narración', 'Motivo: Segment 3 could not be synthesised.'],
      ['Tu narración está lista', 'Ya puedes escucharla.'],
    ]);

    const bob = await app.recipient('Bob');
    await notify(bob.userId, failed(userId(), ''));
    await notify(bob.userId, failed(userId(), 'x'.repeat(NARRATION_REASON_LENGTH + 50)));
    const [generic, long] = narrationNotices(bob.userId);
    expect(generic!.body).toBe('Part of it could not be synthesised.');
    expect(String(long!.data.reason)).toHaveLength(NARRATION_REASON_LENGTH);
    expect(String(long!.data.reason).endsWith('…')).toBe(true);

    await app.sendDueDeliveries.execute(new SendDueDeliveriesCommand());
    const mail = app.email.sent.find((m) => m.to === ann.email && m.subject === 'Your narration could not be made')!;
    expect(mail.text).toContain('Your narration could not be made. Reason: The voice provider did not answer.');
  });

  it('one notice per narration and outcome: a redelivery or a duplicate event is dropped, the other outcome or another narration notify', async () => {
    const ann = await app.recipient('Ann');
    const [narrationId, storyId, eventId] = [userId(), userId(), userId()];
    expect(await notify(ann.userId, ready(narrationId, storyId), eventId)).toBe('created');
    expect(await notify(ann.userId, ready(narrationId, storyId), eventId)).toBe('duplicate'); // redelivered past the inbox
    expect(await notify(ann.userId, ready(narrationId.toUpperCase(), storyId), userId())).toBe('duplicate'); // another event, same narration
    expect(await notify(ann.userId, failed(narrationId, 'timeout', storyId))).toBe('created');
    expect(await notify(ann.userId, failed(narrationId, 'timeout again', storyId))).toBe('duplicate');
    expect(await notify(ann.userId, ready(userId(), storyId))).toBe('created');
    expect(narrationNotices(ann.userId).map((n) => n.type)).toEqual(['narration_ready', 'narration_failed', 'narration_ready']);
    expect(app.deliveriesOf(ann.userId).filter((d) => d.type.startsWith('narration_'))).toHaveLength(6);
  });

  it('follows the owner’s preferences: email off → in-app only; quiet hours hold the email; muted → nothing', async () => {
    const ann = await app.recipient('Ann');
    const prefs = { email: true, sms: false, inApp: true, mutedTypes: [] as string[], quietHours: null, phone: null };
    await app.updatePreferences.execute(new UpdatePreferencesCommand(ann, { ...prefs, email: false }));
    await notify(ann.userId, ready(userId()));
    expect(app.deliveriesOf(ann.userId).filter((d) => d.type === 'narration_ready').map((d) => d.channel)).toEqual(['in_app']);

    await app.updatePreferences.execute(new UpdatePreferencesCommand(ann, { ...prefs, quietHours: { start: '11:00', end: '13:00', timeZone: 'UTC' } }));
    await notify(ann.userId, failed(userId(), 'timeout'));
    const held = app.deliveriesOf(ann.userId).find((d) => d.type === 'narration_failed' && d.channel === 'email')!;
    expect(held).toMatchObject({ status: 'scheduled', nextAttemptAt: new Date('2026-03-10T13:00:00.000Z') });

    await app.updatePreferences.execute(new UpdatePreferencesCommand(ann, { ...prefs, mutedTypes: ['narration_ready'] }));
    expect(await notify(ann.userId, ready(userId()))).toBe('no_channel');
    expect(app.deliveriesOf(ann.userId).filter((d) => d.type === 'narration_ready')).toHaveLength(1);
  });

  it('an owner identity has not told us about yet is retried (RecipientNotYetKnownError); an erased one gets nothing', async () => {
    expect(await failure(notify(userId(), ready(userId())))).toBe('RecipientNotYetKnownError');
    expect(app.uow.tables.notifications.size).toBe(0);
    const bob = await app.recipient('Bob');
    await app.deactivateRecipient.execute(new DeactivateRecipientCommand(bob.userId, 2));
    expect(await notify(bob.userId, ready(userId()))).toBe('inactive');
    expect(narrationNotices(bob.userId)).toEqual([]);
  });

  it('refuses what narration never sends: an owner, narration or story id that is not a UUID', async () => {
    const ann = await app.recipient('Ann');
    expect(await failure(notify('owner-1', ready(userId())))).toBe('validation:VALIDATION_FAILED');
    expect(await failure(notify(ann.userId, ready('narration-1')))).toBe('validation:VALIDATION_FAILED');
    expect(await failure(notify(ann.userId, failed(userId(), 'x', '')))).toBe('validation:VALIDATION_FAILED');
    expect(narrationNotices(ann.userId)).toEqual([]);
  });
});
