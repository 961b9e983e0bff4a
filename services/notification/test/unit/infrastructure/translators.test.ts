import type { CommandBus } from '@nestjs/cqrs';
import { uuidv7 } from '@storytelling/kernel';
import { MalformedMessageError, routeTopics, type CloudEvent, type EventHandler, type MessageTranslator } from '@storytelling/platform';
import {
  DeactivateRecipientCommand,
  NotifyFollowersCommand,
  NotifyNarrationOwnerCommand,
  NotifySubscriberCommand,
  RecipientNotYetKnownError,
  RegisterRecipientCommand,
  UpdateRecipientProfileCommand,
} from '../../../src/application/index.js';
import { IdentityEventsTranslator } from '../../../src/infrastructure/messaging/identity-events.translator.js';
import { NarrationEventsTranslator } from '../../../src/infrastructure/messaging/narration-events.translator.js';
import { PaymentsEventsTranslator } from '../../../src/infrastructure/messaging/payments-events.translator.js';
import { StoryEventsTranslator } from '../../../src/infrastructure/messaging/story-events.translator.js';
import { SubscriptionEventsTranslator } from '../../../src/infrastructure/messaging/subscription-events.translator.js';
import { unitApp, type UnitApp } from '../../support/unit-app.js';

/** The command bus over the in-memory application: each command reaches its handler. */
function busOf(app: UnitApp): CommandBus {
  const handlers = new Map<unknown, { execute(command: never): Promise<unknown> }>([
    [RegisterRecipientCommand, app.registerRecipient],
    [UpdateRecipientProfileCommand, app.updateRecipientProfile],
    [DeactivateRecipientCommand, app.deactivateRecipient],
    [NotifySubscriberCommand, app.notifySubscriber],
    [NotifyFollowersCommand, app.notifyFollowers],
    [NotifyNarrationOwnerCommand, app.notifyNarrationOwner],
  ]);
  return { execute: (command: object) => handlers.get(command.constructor)!.execute(command as never) } as unknown as CommandBus;
}

function event(type: string, subject: string, data: Record<string, unknown>, version = 1): CloudEvent {
  const id = uuidv7();
  return { specversion: '1.0', id, source: '/storytelling/test', type, subject, time: '2026-03-10T12:00:00.000Z', datacontenttype: 'application/json', data, aggregateversion: version, correlationid: id };
}

describe('translators: other contexts’ events → notification commands', () => {
  let app: UnitApp;
  let topics: Map<string, EventHandler>;
  beforeEach(() => {
    app = unitApp();
    const bus = busOf(app);
    const translators: MessageTranslator[] = [
      new IdentityEventsTranslator(bus),
      new StoryEventsTranslator(bus),
      new PaymentsEventsTranslator(bus),
      new SubscriptionEventsTranslator(bus),
      new NarrationEventsTranslator(bus),
    ];
    topics = new Map(routeTopics(translators).map((s) => [s.topic, s.handler]));
  });
  const deliver = (topic: string, e: CloudEvent) => topics.get(topic)!.handle(e, undefined as never);

  it('subscribes to the topics of the generated message types', () => {
    expect([...topics.keys()].sort()).toEqual(['identity.user.events', 'narration.narration.events', 'payments.payment.events', 'story.story.events', 'subscription.subscription.events', 'subscription.usage.events']);
  });

  it('identity: registration (welcome keyed by the event), profile update and deactivation carry identity’s version; other events are ignored', async () => {
    const userId = uuidv7();
    const registered = event('storytelling.identity.user.registered.v1', userId, { userId, email: 'ann@example.com', displayName: 'Ann', language: 'es' }, 3);
    await deliver('identity.user.events', registered);
    expect(app.uow.tables.recipients.get(userId)).toMatchObject({ email: 'ann@example.com', language: 'es', identityVersion: 3 });
    expect(app.deliveriesOf(userId).map((d) => d.sourceEventId)).toEqual([registered.id, registered.id]);
    await deliver('identity.user.events', event('storytelling.identity.user.profile_updated.v1', userId, { userId, displayName: 'Ana', language: '' }, 4));
    expect(app.uow.tables.recipients.get(userId)).toMatchObject({ displayName: 'Ana', language: 'es', identityVersion: 4 });
    await deliver('identity.user.events', event('storytelling.identity.user.authenticated.v1', userId, { userId }, 5));
    await deliver('identity.user.events', event('storytelling.identity.user.deactivated.v1', userId, { userId, reason: 'asked' }, 6));
    expect(app.uow.tables.recipients.get(userId)).toMatchObject({ email: null, active: false, identityVersion: 6 });
  });

  it('dead-letters (MalformedMessageError) a payload that contradicts its subject or that a handler refuses', async () => {
    const userId = uuidv7();
    await expect(deliver('identity.user.events', event('storytelling.identity.user.registered.v1', uuidv7(), { userId, email: 'a@b.c', displayName: 'A' }))).rejects.toBeInstanceOf(MalformedMessageError);
    await expect(deliver('identity.user.events', event('storytelling.identity.user.registered.v1', userId, { userId, displayName: 'No Mail' }))).rejects.toThrow(/VALIDATION_FAILED/);
    const subscriptionId = uuidv7();
    await expect(
      deliver('subscription.usage.events', event('storytelling.subscription.usage.quota_exceeded.v1', subscriptionId, { subscriptionId, userId, resource: 'stories', used: 'lots', limit: 5 })),
    ).rejects.toBeInstanceOf(MalformedMessageError);
    expect(app.uow.tables.recipients.size).toBe(0);
  });

  it('billing: a failed payment and an activation become notices; an unknown subscriber is retried, not dead-lettered', async () => {
    const ann = await app.recipient('Ann');
    const paymentId = uuidv7();
    await deliver('payments.payment.events', event('storytelling.payments.payment.failed.v1', paymentId, { paymentId, userId: ann.userId, amountMinor: '999', currency: 'eur', reason: 'card_declined', message: 'Declined.' }));
    expect(app.notificationsOf(ann.userId).find((n) => n.type === 'payment_failed')!.data).toEqual({ amount: '9.99', currency: 'EUR', message: 'Declined.' });
    const subscriptionId = uuidv7();
    const activated = event('storytelling.subscription.subscription.activated.v1', subscriptionId, { subscriptionId, userId: ann.userId, tier: 'gold', currentPeriodEnd: '2026-04-10T00:00:00Z' });
    await deliver('subscription.subscription.events', activated);
    expect(app.notificationsOf(ann.userId).find((n) => n.type === 'subscription_activated')).toMatchObject({ sourceEventId: activated.id, data: { tier: 'gold', periodEnd: '2026-04-10' } });
    const unknown = deliver('subscription.subscription.events', event('storytelling.subscription.subscription.activated.v1', subscriptionId, { subscriptionId, userId: uuidv7(), tier: 'gold' }));
    await expect(unknown).rejects.toBeInstanceOf(RecipientNotYetKnownError);
  });

  it('story: a publication reaches the author’s followers; drafts are ignored', async () => {
    const [author, reader] = [await app.recipient('Writer'), await app.recipient('Reader')];
    app.followers.byAuthor.set(author.userId, [reader.userId]);
    const storyId = uuidv7();
    await deliver('story.story.events', event('storytelling.story.story.created.v1', storyId, { storyId, authorId: author.userId, title: 'Draft' }));
    expect(app.followers.calls).toEqual([]);
    const published = event('storytelling.story.story.published.v1', storyId, { storyId, authorId: author.userId, authorName: 'Writer', title: 'The Fox' });
    await deliver('story.story.events', published);
    expect(app.deliveriesOf(reader.userId).filter((d) => d.sourceEventId === published.id).map((d) => d.channel).sort()).toEqual(['email', 'in_app']);
  });

  it('narration: NarrationGenerated and NarrationFailed tell the owner (once per narration and outcome); other narration events are ignored', async () => {
    const ann = await app.recipient('Ann');
    const [narrationId, storyId] = [uuidv7(), uuidv7()];
    const base = { narrationId, storyId, ownerId: ann.userId, sagaId: '' };
    const narrationNotices = () => app.notificationsOf(ann.userId).filter((n) => n.type.startsWith('narration_'));
    await deliver('narration.narration.events', event('storytelling.narration.narration.requested.v1', narrationId, { ...base, voiceId: uuidv7() }));
    await deliver('narration.narration.events', event('storytelling.narration.narration.failed.v1', narrationId, { ...base, reason: 'The voice provider did not answer.' }));
    const generated = event('storytelling.narration.narration.generated.v1', narrationId, { ...base, segments: 12, durationSeconds: 93.5 });
    await deliver('narration.narration.events', generated);
    await deliver('narration.narration.events', generated); // redelivered past the inbox
    await deliver('narration.narration.events', event('storytelling.narration.narration.generated.v1', narrationId, { ...base, segments: 12, durationSeconds: 93.5 })); // a duplicate event
    await deliver('narration.narration.events', event('storytelling.narration.narration.regenerated.v1', narrationId, { narrationId, storyId, ownerId: ann.userId, index: 2, durationSeconds: 94 }));
    expect(narrationNotices().map((n) => [n.type, n.title, n.body, n.data])).toEqual([
      ['narration_failed', 'Your narration could not be made', 'Reason: The voice provider did not answer.', { narrationId, storyId, reason: 'The voice provider did not answer.' }],
      ['narration_ready', 'Your narration is ready', 'You can listen to it now.', { narrationId, storyId }],
    ]);
    expect(app.deliveriesOf(ann.userId).filter((d) => d.type === 'narration_ready').map((d) => d.channel).sort()).toEqual(['email', 'in_app']);
  });

  it('narration: an unknown owner is retried; a payload that contradicts its subject or an owner that is not a UUID is dead-lettered', async () => {
    const narrationId = uuidv7();
    const generated = (subject: string, ownerId: string) =>
      deliver('narration.narration.events', event('storytelling.narration.narration.generated.v1', subject, { narrationId, storyId: uuidv7(), ownerId, segments: 1, durationSeconds: 2 }));
    await expect(generated(narrationId, uuidv7())).rejects.toBeInstanceOf(RecipientNotYetKnownError);
    await expect(generated(uuidv7(), uuidv7())).rejects.toBeInstanceOf(MalformedMessageError);
    await expect(generated(narrationId, 'someone')).rejects.toThrow(/VALIDATION_FAILED/);
    expect(app.uow.tables.notifications.size).toBe(0);
  });
});
