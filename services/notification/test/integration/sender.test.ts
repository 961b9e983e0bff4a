import { uuidv7 } from '@storytelling/kernel';
import { CommandBus } from '@nestjs/cqrs';
import { EventStore } from '@storytelling/platform';
import { waitUntil } from '@storytelling/testing';
import { SendDueDeliveriesCommand, type SendRoundResult } from '../../src/application/index.js';
import { createNotificationApp } from '../../src/app.js';
import { sqlRepositories } from '../../src/infrastructure/persistence/unit-of-work.js';
import { as, deliveriesOf, registerUser, startStack, type Stack } from '../support/harness.js';
import { fakeTwilio, type FakeTwilio } from '../support/fake-twilio.js';
import { TestKafka } from '../support/kafka.js';

const PAYMENT_FAILED = 'storytelling.payments.payment.failed.v1';

/**
 * The sender without its loop: the test runs rounds itself, as one or several replicas would,
 * and plays a replica that crashes between claiming a delivery and recording its outcome.
 */
describe('notification sender (real Postgres, Kafka, SMTP)', () => {
  let stack: Stack;
  let kafka: TestKafka;
  let sender: { runOnce(): Promise<SendRoundResult> };
  let twilio: FakeTwilio;

  beforeAll(async () => {
    twilio = await fakeTwilio();
    stack = await startStack('sender', {
      sender: false,
      notificationEnv: { NOTIFICATION_SEND_BATCH: '4', SMS_PROVIDER: 'twilio', TWILIO_BASE_URL: twilio.url, TWILIO_ACCOUNT_SID: 'AC123', TWILIO_AUTH_TOKEN: 'secret-token', TWILIO_FROM: '+15005550006' },
    });
    kafka = await TestKafka.start(stack.sandbox);
    const commands = stack.notification.app.get(CommandBus);
    sender = { runOnce: () => commands.execute(new SendDueDeliveriesCommand()) };
  });

  afterAll(async () => {
    await kafka?.close();
    await stack?.close();
    await twilio?.close();
  });

  it('serves /health and /ready (database; the Kafka consumers as an optional check)', async () => {
    expect((await fetch(`${stack.notification.httpUrl}/health`)).status).toBe(200);
    const ready = await fetch(`${stack.notification.httpUrl}/ready`);
    expect(ready.status).toBe(200);
    // The consumers are reported but do not gate readiness (ADR 0027); the harness waited for them.
    expect(((await ready.json()) as { checks: unknown }).checks).toEqual({
      database: { ok: true },
      consumers: { ok: true, optional: true },
    });
  });

  it('a crash after the claim neither loses nor duplicates: the lease expires, one send, one row', async () => {
    const ann = await registerUser(stack, 'Ann');
    const email = async () => (await deliveriesOf(stack, ann.id)).find((d) => d.channel === 'email')!;
    expect((await email()).status).toBe('pending');
    // A replica claims the due deliveries (the sender's own claim) and dies before sending.
    const now = stack.clock.now();
    const claimed = await sqlRepositories(stack.ds.manager, new EventStore()).deliveries.claimDue(now, new Date(now.getTime() + 30_000), 10);
    // (identity's super-admin got a welcome too: assertions are about Ann's delivery.)
    expect(claimed.find((d) => d.recipientId === ann.id)).toMatchObject({ channel: 'email', attempts: 1 });
    await sender.runOnce(); // leased: not due
    expect(await email()).toMatchObject({ status: 'pending', attempts: 1 });
    expect(stack.smtp.to(ann.email)).toHaveLength(0);
    stack.clock.advance(30_000);
    expect((await sender.runOnce()).sent).toBeGreaterThanOrEqual(1);
    await sender.runOnce();
    expect(await email()).toMatchObject({ status: 'sent', attempts: 2 });
    await waitUntil(() => stack.smtp.to(ann.email).length === 1);
  });

  it('concurrent rounds (replicas) claim disjoint batches: every delivery sent exactly once', async () => {
    const bob = await registerUser(stack, 'Bob');
    await sender.runOnce(); // the welcome
    const events: string[] = [];
    for (let i = 0; i < 10; i++) {
      const paymentId = uuidv7();
      events.push(
        await kafka.publish('payments.payment.events', PAYMENT_FAILED, paymentId, { paymentId, userId: bob.id, amountMinor: String(100 + i), currency: 'EUR', reason: 'card_declined', message: 'declined' }),
      );
    }
    await waitUntil(async () => (await deliveriesOf(stack, bob.id)).filter((d) => d.channel === 'email' && d.status === 'pending').length === 10, 20_000);
    const rounds = await Promise.all([sender.runOnce(), sender.runOnce(), sender.runOnce()]);
    expect(rounds.every((r) => r.sent <= 4)).toBe(true);
    while ((await sender.runOnce()).sent > 0);
    const rows = (await deliveriesOf(stack, bob.id)).filter((d) => d.channel === 'email');
    expect(rows.map((r) => [r.status, r.attempts])).toEqual(Array.from({ length: 11 }, () => ['sent', 1]));
    await waitUntil(() => stack.smtp.to(bob.email).length === 11);
    const ids = stack.smtp.to(bob.email).map((m) => m.messageId);
    expect(new Set(ids).size).toBe(11);
    const metrics = await (await fetch(`${stack.notification.httpUrl}/metrics`)).text();
    expect(metrics).toMatch(/notification_send_duration_seconds_count\{channel="email",outcome="sent"\} [1-9]/);
  });

  it('SMS through the Twilio adapter for a user who gave a phone; a provider outage retries', async () => {
    const cy = await registerUser(stack, 'Cy', 'es');
    await stack.client.updatePreferences({ preferences: { email: false, sms: true, inApp: false, mutedTypes: [], phone: '+34600111222' } }, as(cy.token));
    twilio.setDown(true);
    const paymentId = uuidv7();
    const eventId = await kafka.publish('payments.payment.events', PAYMENT_FAILED, paymentId, { paymentId, userId: cy.id, amountMinor: '1250', currency: 'eur', reason: 'card_declined', message: 'Tarjeta rechazada' });
    const sms = async () => (await deliveriesOf(stack, cy.id)).find((d) => d.source_event_id === eventId);
    await waitUntil(async () => (await sms())?.channel === 'sms', 20_000);
    expect((await deliveriesOf(stack, cy.id)).filter((d) => d.source_event_id === eventId).map((d) => d.channel)).toEqual(['sms']);
    await sender.runOnce();
    expect(await sms()).toMatchObject({ status: 'pending', attempts: 1, last_error: expect.stringMatching(/SmsProviderError: SMS provider answered 503/) });
    twilio.setDown(false);
    stack.clock.advance(60_000);
    await sender.runOnce();
    expect(await sms()).toMatchObject({ status: 'sent', attempts: 2 });
    const sent = twilio.received.filter((r) => r.form.get('To') === '+34600111222');
    expect(sent).toHaveLength(1);
    expect(sent[0]!.form.get('Body')).toBe('Storytelling: tu pago de 12.50 EUR ha fallado. Actualiza tu método de pago: https://stories.example.test/account/billing');
  });

  it('refuses to start with an invalid configuration, naming every problem', async () => {
    const base = { HTTP_PORT: '0', GRPC_PORT: '0', DATABASE_URL: 'postgres://n:x@127.0.0.1:1/none', KAFKA_BROKERS: '127.0.0.1:1' };
    await expect(createNotificationApp({ ...base, SMTP_URL: 'http://mail', NOTIFICATION_MAX_ATTEMPTS: 'many', PUBLIC_WEB_URL: 'ftp://x' }, { shutdownHooks: false })).rejects.toThrow(
      /NOTIFICATION_MAX_ATTEMPTS[\s\S]*PUBLIC_WEB_URL[\s\S]*SMTP_URL|SMTP_URL/,
    );
    await expect(createNotificationApp({ ...base, SMS_PROVIDER: 'twilio' }, { shutdownHooks: false })).rejects.toThrow(/TWILIO_ACCOUNT_SID[\s\S]*TWILIO_AUTH_TOKEN[\s\S]*TWILIO_FROM/);
  });
});
