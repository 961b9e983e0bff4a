import { uuidv7 } from '@storytelling/kernel';
import { grpcOutcome as outcome, waitUntil } from '@storytelling/testing';
import { as, deliveriesOf, outboxTypes, PUBLIC_WEB_URL, registerUser, startStack, type Stack, type TestUser } from '../support/harness.js';
import { TestKafka } from '../support/kafka.js';

const SENT = 'storytelling.notification.notification.sent.v1';
const FAILED = 'storytelling.notification.notification.failed.v1';
const REGISTERED = 'storytelling.identity.user.registered.v1';
const DEACTIVATED = 'storytelling.identity.user.deactivated.v1';
const PAYMENT_FAILED = 'storytelling.payments.payment.failed.v1';
const ACTIVATED = 'storytelling.subscription.subscription.activated.v1';
const QUOTA = 'storytelling.subscription.usage.quota_exceeded.v1';

describe('notification (real Postgres, Kafka, SMTP; identity in process)', () => {
  let stack: Stack;
  let kafka: TestKafka;

  beforeAll(async () => {
    stack = await startStack('notif');
    kafka = await TestKafka.start(stack.sandbox);
  });

  afterAll(async () => {
    await kafka?.close();
    await stack?.close();
  });

  const processed = (eventId: string) =>
    waitUntil(async () => ((await stack.ds.query(`SELECT 1 FROM inbox_messages WHERE event_id = $1`, [eventId])) as unknown[]).length > 0, 20_000);

  const paymentFailed = (user: TestUser, id?: string) => {
    const paymentId = uuidv7();
    return kafka.publish(
      'payments.payment.events',
      PAYMENT_FAILED,
      paymentId,
      { paymentId, userId: user.id, subscriptionId: uuidv7(), amountMinor: '999', currency: 'eur', provider: 'fake', reason: 'card_declined', message: 'Your card was declined.', failedAt: new Date().toISOString(), sagaId: uuidv7() },
      id ? { id } : {},
    );
  };

  /** Quiet hours around the notification clock's current UTC time (±1 h). */
  function quietAroundNow(): { start: string; end: string; timeZone: string } {
    const now = stack.clock.now();
    const hhmm = (d: Date) => d.toISOString().slice(11, 16);
    return { start: hhmm(new Date(now.getTime() - 3_600_000)), end: hhmm(new Date(now.getTime() + 3_600_000)), timeZone: 'UTC' };
  }

  it('UserRegistered → a welcome email in English with the public link, and an in-app welcome', async () => {
    const ann = await registerUser(stack, 'Ann');
    await waitUntil(() => stack.smtp.to(ann.email).length === 1, 20_000);
    const [mail] = stack.smtp.to(ann.email);
    expect(mail!.subject).toBe('Welcome to Storytelling, Ann');
    expect(mail!.text).toContain(`${PUBLIC_WEB_URL}/stories`);
    expect(mail!.html).toContain(`<a href="${PUBLIC_WEB_URL}/stories">`);
    expect(mail!.html).toContain('<html lang="en">');
    // The SMTP server has the message before the sender records the outcome: wait for the rows.
    await waitUntil(async () => (await deliveriesOf(stack, ann.id)).every((r) => r.status === 'sent'), 20_000);
    const rows = await deliveriesOf(stack, ann.id);
    expect(rows.map((r) => [r.channel, r.status])).toEqual([['email', 'sent'], ['in_app', 'sent']]);
    const email = rows.find((r) => r.channel === 'email')!;
    expect(mail!.messageId).toBe(`<${email.id}@notification.storytelling>`);
    const [{ notification_id: notificationId }] = (await stack.ds.query(`SELECT notification_id FROM deliveries WHERE id = $1`, [email.id])) as Array<{ notification_id: string }>;
    await waitUntil(async () => (await outboxTypes(stack, notificationId!)).length === 2);
    expect(await outboxTypes(stack, notificationId!)).toEqual([SENT, SENT]);

    const list = await stack.client.listNotifications({ page: { limit: 10, cursor: '' }, unreadOnly: false }, as(ann.token));
    expect(list.notifications).toEqual([expect.objectContaining({ type: 'welcome', title: 'Welcome, Ann', link: `${PUBLIC_WEB_URL}/stories`, readAt: '' })]);
    // A cursor whose time PostgreSQL cannot hold is refused before any SQL (issue 12, item 2).
    const outOfRange = Buffer.from(JSON.stringify(['-005000-01-01T00:00:00.000Z', '0190a0d0-0000-7000-8000-0000000000aa'])).toString('base64url');
    expect(await outcome(stack.client.listNotifications({ page: { limit: 10, cursor: outOfRange }, unreadOnly: false }, as(ann.token)))).toBe('INVALID_ARGUMENT:INVALID_CURSOR');
  });

  it('a Spanish speaker gets the Spanish welcome', async () => {
    const ana = await registerUser(stack, 'Ana', 'es');
    await waitUntil(() => stack.smtp.to(ana.email).length === 1, 20_000);
    const [mail] = stack.smtp.to(ana.email);
    expect(mail!.subject).toBe('Te damos la bienvenida a Storytelling, Ana');
    expect(mail!.text).toContain('¡Te damos la bienvenida a Storytelling!');
    expect(mail!.html).toContain('<html lang="es">');
    expect(mail!.html).toContain(`<a href="${PUBLIC_WEB_URL}/stories">`);
  });

  it('escapes the display name in HTML; a redelivered event (even past the inbox) sends nothing twice', async () => {
    const userId = uuidv7();
    const email = `mallory.${userId.slice(-8)}@example.com`;
    const data = { userId, email, displayName: '<script>alert(1)</script>', firstName: '', lastName: '', language: 'fr', registeredAt: new Date().toISOString(), role: 'member' };
    const eventId = await kafka.publish('identity.user.events', REGISTERED, userId, data);
    await waitUntil(() => stack.smtp.to(email).length === 1, 20_000);
    const [mail] = stack.smtp.to(email);
    expect(mail!.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(mail!.html).not.toContain('<script>');
    expect(mail!.subject).toBe('Welcome to Storytelling, <script>alert(1)</script>'); // fr → English; text parts are not HTML

    // Same event again: the inbox drops it.
    await kafka.publish('identity.user.events', REGISTERED, userId, data, { id: eventId });
    // Then as if the inbox had lost it: the (event, recipient, channel) key still holds.
    await stack.ds.query(`DELETE FROM inbox_messages WHERE event_id = $1`, [eventId]);
    await kafka.publish('identity.user.events', REGISTERED, userId, data, { id: eventId });
    await processed(eventId);
    const marker = await kafka.publish('identity.user.events', 'storytelling.identity.user.authenticated.v1', userId, { userId }, { version: 2 });
    await processed(marker);
    await new Promise((r) => setTimeout(r, 300)); // a sender round or more
    expect(stack.smtp.to(email)).toHaveLength(1);
    expect((await deliveriesOf(stack, userId)).map((d) => d.channel)).toEqual(['email', 'in_app']);
  });

  it('SMTP down → the delivery retries with backoff → sent when SMTP is back', async () => {
    const bob = await registerUser(stack, 'Bob');
    await waitUntil(() => stack.smtp.to(bob.email).length === 1, 20_000);
    stack.smtp.down = true;
    const eventId = await paymentFailed(bob);
    const emailRow = async () => (await deliveriesOf(stack, bob.id)).find((d) => d.source_event_id === eventId && d.channel === 'email');
    await waitUntil(async () => (await emailRow())?.attempts === 1 && (await emailRow())?.last_error !== null, 20_000);
    const first = (await emailRow())!;
    expect(first.status).toBe('pending');
    expect(first.next_attempt_at!.getTime() - stack.clock.now().getTime()).toBeGreaterThanOrEqual(59_000);
    stack.smtp.down = false;
    await new Promise((r) => setTimeout(r, 200));
    expect((await emailRow())!.attempts).toBe(1); // not due before the backoff
    stack.clock.advance(60_000);
    await waitUntil(async () => (await emailRow())?.status === 'sent', 20_000);
    expect((await emailRow())!.attempts).toBe(2);
    const mails = stack.smtp.to(bob.email).filter((m) => m.subject === 'Your payment could not be processed');
    expect(mails).toHaveLength(1);
    expect(mails[0]!.text).toContain('We could not charge 9.99 EUR: Your card was declined.');
  });

  it('gives up after NOTIFICATION_MAX_ATTEMPTS with NotificationFailed', async () => {
    const cy = await registerUser(stack, 'Cy');
    await waitUntil(() => stack.smtp.to(cy.email).length === 1, 20_000);
    stack.smtp.down = true;
    try {
      const eventId = await paymentFailed(cy);
      const emailRow = async () => (await deliveriesOf(stack, cy.id)).find((d) => d.source_event_id === eventId && d.channel === 'email');
      for (const [attempts, wait] of [[1, 60_000], [2, 120_000]] as const) {
        // Failed and rescheduled by the backoff (a claimed row's next_attempt_at is the 30 s lease instead).
        const rescheduled = async () => {
          const row = await emailRow();
          return row?.attempts === attempts && row.status === 'pending' && row.next_attempt_at!.getTime() - stack.clock.now().getTime() === wait;
        };
        await waitUntil(rescheduled, 20_000);
        stack.clock.advance(wait);
      }
      await waitUntil(async () => (await emailRow())?.status === 'failed', 20_000);
      const row = (await emailRow())!;
      expect(row.attempts).toBe(3);
      const [{ notification_id }] = (await stack.ds.query(`SELECT notification_id FROM deliveries WHERE id = $1`, [row.id])) as Array<{ notification_id: string }>;
      expect(await outboxTypes(stack, notification_id!)).toEqual([SENT, FAILED]); // in-app sent, email failed
    } finally {
      stack.smtp.down = false;
    }
  });

  it('quiet hours hold non-urgent email until they end; urgent payment failures go at once; muted types send nothing', async () => {
    const dee = await registerUser(stack, 'Dee');
    await waitUntil(() => stack.smtp.to(dee.email).length === 1, 20_000);
    const quiet = quietAroundNow();
    const prefs = { email: true, sms: false, inApp: true, mutedTypes: ['quota_exceeded'], quietHours: quiet, phone: '' };
    const updated = await stack.client.updatePreferences({ preferences: prefs }, as(dee.token));
    expect(updated.preferences).toEqual(prefs);
    expect((await stack.client.getPreferences({}, as(dee.token))).preferences).toEqual(prefs);

    const deeSubscription = uuidv7();
    const activated = await kafka.publish('subscription.subscription.events', ACTIVATED, deeSubscription, {
      subscriptionId: deeSubscription, userId: dee.id, tier: 'pro', billingCycle: 'monthly', currentPeriodStart: '2026-01-01T00:00:00Z', currentPeriodEnd: '2026-02-01T00:00:00Z', paymentId: uuidv7(), amountMinor: '999', currency: 'EUR',
    });
    const quota = await kafka.publish('subscription.usage.events', QUOTA, deeSubscription, { subscriptionId: deeSubscription, userId: dee.id, tier: 'free', resource: 'stories', requested: 1, used: 5, limit: 5, reservationId: '' });
    await processed(activated);
    await processed(quota);
    const rows = await deliveriesOf(stack, dee.id);
    const held = rows.find((d) => d.source_event_id === activated && d.channel === 'email')!;
    expect(held.status).toBe('scheduled');
    expect(held.next_attempt_at!.toISOString().slice(11, 16)).toBe(quiet.end);
    expect(rows.find((d) => d.source_event_id === activated && d.channel === 'in_app')!.status).toBe('sent');
    expect(rows.filter((d) => d.type === 'quota_exceeded')).toEqual([]); // muted: nothing at all

    const urgent = await paymentFailed(dee);
    await waitUntil(() => stack.smtp.to(dee.email).some((m) => m.subject === 'Your payment could not be processed'), 20_000);
    expect(stack.smtp.to(dee.email).some((m) => m.subject.includes('subscription is active'))).toBe(false);
    // The SMTP server has the message before the sender records the outcome: wait for the row.
    await waitUntil(async () => (await deliveriesOf(stack, dee.id)).find((d) => d.source_event_id === urgent && d.channel === 'email')?.status === 'sent', 20_000);

    stack.clock.set(new Date(held.next_attempt_at!.getTime() + 1_000));
    await waitUntil(() => stack.smtp.to(dee.email).some((m) => m.subject === 'Your pro subscription is active'), 20_000);
  });

  it('QuotaExceeded: one notice per (user, resource, quota period), however many refusals; the next period notifies again', async () => {
    const ida = await registerUser(stack, 'Ida');
    await waitUntil(() => stack.smtp.to(ida.email).length === 1, 20_000);
    const subscriptionId = uuidv7();
    const quota = (resource: string, periodStart: string) =>
      kafka.publish('subscription.usage.events', QUOTA, subscriptionId, { subscriptionId, userId: ida.id, tier: 'free', resource, requested: 1, used: 3, limit: 3, reservationId: uuidv7(), periodStart });
    const notices = async () =>
      (await stack.ds.query(`SELECT data->>'resource' AS resource, source_event_id FROM notifications WHERE recipient_id = $1 AND type = 'quota_exceeded' ORDER BY created_at, id`, [ida.id])) as Array<{ resource: string; source_event_id: string }>;
    const quotaDeliveries = async () => (await deliveriesOf(stack, ida.id)).filter((d) => d.type === 'quota_exceeded').map((d) => d.channel).sort();

    for (const id of [await quota('stories', '2026-11-01T00:00:00Z'), await quota('stories', '2026-11-01T00:00:00.000Z')]) await processed(id);
    expect(await notices()).toHaveLength(1);
    expect(await quotaDeliveries()).toEqual(['email', 'in_app']);

    await processed(await quota('narrations', '2026-11-01T00:00:00Z')); // another quota: its own notice
    await processed(await quota('stories', '2026-12-01T00:00:00Z')); // the next period: notified again
    await processed(await quota('stories', '2026-12-01T00:00:00Z'));
    const all = await notices();
    expect(all.map((n) => n.resource)).toEqual(['stories', 'narrations', 'stories']);
    expect(new Set(all.map((n) => n.source_event_id)).size).toBe(3);
    expect(await quotaDeliveries()).toEqual(['email', 'email', 'email', 'in_app', 'in_app', 'in_app']);
  });

  it('preferences are validated field by field', async () => {
    const eve = await registerUser(stack, 'Eve');
    const bad = { email: true, sms: true, inApp: true, mutedTypes: ['nope'], quietHours: { start: '9:00', end: '24:00', timeZone: 'Not/AZone' }, phone: '12345' };
    const call = stack.client.updatePreferences({ preferences: bad }, as(eve.token));
    expect(await outcome(call)).toBe('INVALID_ARGUMENT:VALIDATION_FAILED');
    const err = (await call.catch((e: unknown) => e)) as { metadata: { get(k: string): unknown[] } };
    const fields = (JSON.parse(String(err.metadata.get('x-field-errors')[0])) as Array<{ field: string }>).map((f) => f.field);
    expect(fields).toEqual(['mutedTypes[0]', 'quietHours.start', 'quietHours.end', 'quietHours.timeZone', 'phone']);
    expect(await outcome(stack.client.getPreferences({}))).toBe('UNAUTHENTICATED:UNAUTHENTICATED');
  });

  it('in-app notifications: newest first, read by the owner only (others: NOT_FOUND), idempotent', async () => {
    const fay = await registerUser(stack, 'Fay');
    const gus = await registerUser(stack, 'Gus');
    stack.clock.advance(1_000);
    await paymentFailed(fay);
    await waitUntil(async () => (await stack.client.listNotifications({ page: { limit: 10, cursor: '' }, unreadOnly: false }, as(fay.token))).notifications.length === 2, 20_000);
    const page1 = await stack.client.listNotifications({ page: { limit: 1, cursor: '' }, unreadOnly: false }, as(fay.token));
    expect(page1.notifications.map((n) => n.type)).toEqual(['payment_failed']);
    const page2 = await stack.client.listNotifications({ page: { limit: 1, cursor: page1.page!.nextCursor }, unreadOnly: false }, as(fay.token));
    expect(page2.notifications.map((n) => n.type)).toEqual(['welcome']);
    expect(page2.page!.nextCursor).toBe('');

    const welcome = page2.notifications[0]!;
    expect(await outcome(stack.client.markNotificationRead({ notificationId: welcome.id }, as(gus.token)))).toBe('NOT_FOUND:NOTIFICATION_NOT_FOUND');
    expect(await outcome(stack.client.markNotificationRead({ notificationId: 'not-an-id' }, as(fay.token)))).toBe('NOT_FOUND:NOTIFICATION_NOT_FOUND');
    expect(await outcome(stack.client.markNotificationRead({ notificationId: welcome.id }, as(fay.token)))).toBe('ok');
    expect(await outcome(stack.client.markNotificationRead({ notificationId: welcome.id }, as(fay.token)))).toBe('ok');
    const unread = await stack.client.listNotifications({ page: { limit: 10, cursor: '' }, unreadOnly: true }, as(fay.token));
    expect(unread.notifications.map((n) => n.type)).toEqual(['payment_failed']);
    const all = await stack.client.listNotifications({ page: { limit: 10, cursor: '' }, unreadOnly: false }, as(fay.token));
    expect(all.notifications[1]!.readAt).not.toBe('');
    const gusList = await stack.client.listNotifications({ page: { limit: 10, cursor: '' }, unreadOnly: false }, as(gus.token));
    expect(gusList.notifications.map((n) => n.id)).not.toContain(welcome.id);
  });

  it('the delivery log is for support staff only', async () => {
    const hal = await registerUser(stack, 'Hal');
    await waitUntil(async () => (await deliveriesOf(stack, hal.id)).every((d) => d.status === 'sent') && (await deliveriesOf(stack, hal.id)).length === 2, 20_000);
    expect(await outcome(stack.client.listDeliveries({ recipientId: hal.id, sourceEventId: '' }, as(hal.token)))).toBe('PERMISSION_DENIED:FORBIDDEN');
    const admin = await stack.identityClient.login({ email: stack.superAdmin.email, password: stack.superAdmin.password });
    expect(await outcome(stack.client.listDeliveries({ recipientId: '', sourceEventId: '' }, as(admin.accessToken)))).toBe('INVALID_ARGUMENT:VALIDATION_FAILED');
    const log = await stack.client.listDeliveries({ recipientId: hal.id, sourceEventId: '' }, as(admin.accessToken));
    expect(log.deliveries.map((d) => [d.type, d.channel, d.status, d.attempts]).sort()).toEqual([['welcome', 'email', 'sent', 1], ['welcome', 'in_app', 'sent', 1]]);
    expect(log.deliveries.find((d) => d.channel === 'email')!.providerMessageId).toMatch(/@notification\.storytelling>$/);
  });

  it('UserDeactivated erases the address and name and cancels what was waiting', async () => {
    const ivy = await registerUser(stack, 'Ivy');
    await waitUntil(() => stack.smtp.to(ivy.email).length === 1, 20_000);
    await stack.client.updatePreferences({ preferences: { email: true, sms: false, inApp: true, mutedTypes: [], quietHours: quietAroundNow(), phone: '' } }, as(ivy.token));
    const ivySubscription = uuidv7();
    const activated = await kafka.publish('subscription.subscription.events', ACTIVATED, ivySubscription, { subscriptionId: ivySubscription, userId: ivy.id, tier: 'pro', currentPeriodEnd: '2026-02-01T00:00:00Z' });
    await processed(activated);
    const deactivated = await kafka.publish('identity.user.events', DEACTIVATED, ivy.id, { userId: ivy.id, reason: 'user request', deactivatedBy: ivy.id, deactivatedAt: new Date().toISOString() }, { version: 50 });
    await processed(deactivated);
    const [recipient] = (await stack.ds.query(`SELECT email, display_name, active, preferences FROM recipients WHERE id = $1`, [ivy.id])) as Array<{ email: string | null; display_name: string | null; active: boolean }>;
    expect(recipient).toMatchObject({ email: null, display_name: null, active: false });
    const held = (await deliveriesOf(stack, ivy.id)).find((d) => d.source_event_id === activated && d.channel === 'email')!;
    expect(held.status).toBe('skipped');
    const texts = (await stack.ds.query(`SELECT title, body FROM notifications WHERE recipient_id = $1`, [ivy.id])) as Array<{ title: string | null }>;
    expect(texts.every((t) => t.title === null)).toBe(true);
    stack.clock.advance(2 * 3_600_000);
    const again = await paymentFailed(ivy);
    await processed(again);
    await new Promise((r) => setTimeout(r, 300));
    expect(stack.smtp.to(ivy.email)).toHaveLength(1);
    expect(await outcome(stack.client.getPreferences({}, as(ivy.token)))).toBe('NOT_FOUND:RECIPIENT_NOT_FOUND');
  });

  it('UserProfileUpdated changes name and language for what is sent next; older versions are ignored', async () => {
    const joe = await registerUser(stack, 'Joe');
    await waitUntil(() => stack.smtp.to(joe.email).length === 1, 20_000);
    const PROFILE = 'storytelling.identity.user.profile_updated.v1';
    const newer = await kafka.publish('identity.user.events', PROFILE, joe.id, { userId: joe.id, displayName: 'José', language: 'es', changedFields: ['displayName', 'language'] }, { version: 40 });
    const older = await kafka.publish('identity.user.events', PROFILE, joe.id, { userId: joe.id, displayName: 'Old Joe', language: 'en' }, { version: 39 });
    await processed(newer);
    await processed(older);
    expect(await stack.ds.query(`SELECT display_name, language, identity_version FROM recipients WHERE id = $1`, [joe.id])).toEqual([{ display_name: 'José', language: 'es', identity_version: 40 }]);
    await paymentFailed(joe);
    await waitUntil(() => stack.smtp.to(joe.email).length === 2, 20_000);
    const mail = stack.smtp.to(joe.email)[1]!;
    expect(mail.subject).toBe('No hemos podido procesar tu pago');
    expect(mail.text).toContain('Hola José:');
  });

  it('malformed events and events for unknown recipients go to dlq.notification', async () => {
    const before = kafka.deadLetters.length;
    await kafka.sendRaw('payments.payment.events', 'k', 'not json');
    // Envelopes as the producers write them (subject = the payload's subject field), so each is refused for its data.
    const [paymentId, storyId, subscriptionId, activatedId] = [uuidv7(), uuidv7(), uuidv7(), uuidv7()];
    await kafka.publish('payments.payment.events', PAYMENT_FAILED, paymentId, { paymentId, userId: 'not-a-uuid', amountMinor: '1' });
    const noEmail = uuidv7();
    await kafka.publish('identity.user.events', REGISTERED, noEmail, { userId: noEmail, displayName: 'No Mail' });
    await kafka.publish('story.story.events', 'storytelling.story.story.published.v1', storyId, { storyId, authorId: 'x', title: 'T' });
    await kafka.publish('subscription.usage.events', QUOTA, subscriptionId, { subscriptionId, userId: uuidv7(), tier: 'free', resource: 'stories', used: 'lots', limit: 5 });
    const unknown = uuidv7();
    await kafka.publish('subscription.subscription.events', ACTIVATED, activatedId, { subscriptionId: activatedId, userId: unknown, tier: 'pro' });
    await waitUntil(() => kafka.deadLetters.length - before >= 6, 30_000);
    const reasons = kafka.deadLetters.slice(before).map((d) => JSON.stringify(d.headers));
    expect(reasons.some((r) => r.includes('RecipientNotYetKnownError'))).toBe(true);
    expect(reasons.filter((r) => r.includes('MalformedMessageError'))).toHaveLength(5);
  });
});
