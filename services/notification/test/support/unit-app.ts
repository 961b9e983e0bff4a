import type { FixedClock } from '@storytelling/kernel';
import type { Caller } from '@storytelling/platform';
import {
  DeactivateRecipientHandler,
  GetPreferencesHandler,
  ListDeliveriesHandler,
  ListNotificationsHandler,
  MarkNotificationReadHandler,
  NotificationPlanner,
  NotifyFollowersHandler,
  NotifyNarrationOwnerHandler,
  NotifySubscriberHandler,
  RegisterRecipientCommand,
  RegisterRecipientHandler,
  SendDueDeliveriesHandler,
  UpdatePreferencesHandler,
  UpdateRecipientProfileHandler,
} from '../../src/application/index.js';
import { HandlebarsTemplateRenderer } from '../../src/infrastructure/templates/handlebars-renderer.js';
import { FixedFollowers, RecordingEmail, RecordingSms, SETTINGS, fixedClock, inMemoryUnitOfWork } from './in-memory.js';

export const WEB = 'https://stories.example.test';

let users = 0;
/** A fresh user id (UUIDv7-shaped, increasing). */
export function userId(): string {
  users += 1;
  return `0190f1b2-0000-7000-8000-${String(users).padStart(12, '0')}`;
}

/** The application layer wired to in-memory ports, no Nest and no infrastructure: handlers are plain classes. */
export function unitApp(clock: FixedClock = fixedClock()) {
  const uow = inMemoryUnitOfWork();
  const templates = new HandlebarsTemplateRenderer(WEB);
  const email = new RecordingEmail();
  const sms = new RecordingSms();
  const followers = new FixedFollowers();
  const planner = new NotificationPlanner(clock, templates);
  const app = {
    clock,
    uow,
    email,
    sms,
    followers,
    registerRecipient: new RegisterRecipientHandler(uow, clock, planner),
    updateRecipientProfile: new UpdateRecipientProfileHandler(uow, clock),
    deactivateRecipient: new DeactivateRecipientHandler(uow, clock),
    notifySubscriber: new NotifySubscriberHandler(uow, planner),
    notifyFollowers: new NotifyFollowersHandler(uow, planner, followers, SETTINGS),
    notifyNarrationOwner: new NotifyNarrationOwnerHandler(uow, planner),
    sendDueDeliveries: new SendDueDeliveriesHandler(uow, clock, templates, email, sms, SETTINGS),
    markNotificationRead: new MarkNotificationReadHandler(uow, clock),
    updatePreferences: new UpdatePreferencesHandler(uow, clock),
    listNotifications: new ListNotificationsHandler(uow),
    getPreferences: new GetPreferencesHandler(uow),
    listDeliveries: new ListDeliveriesHandler(uow),

    /** A recipient identity told us about (UserRegistered, version 1): welcome planned. @returns the caller */
    async recipient(displayName = 'Ann', language = 'en'): Promise<Caller & { email: string }> {
      const id = userId();
      const address = `${displayName.toLowerCase()}.${id.slice(-4)}@example.com`;
      await app.registerRecipient.execute(new RegisterRecipientCommand(id, address, displayName, language, 1, userId()));
      return { userId: id, role: 'member', email: address };
    },
    /** Rows of the in-memory tables. */
    deliveriesOf: (recipientId: string) => [...uow.tables.deliveries.values()].filter((d) => d.recipientId === recipientId),
    notificationsOf: (recipientId: string) => [...uow.tables.notifications.values()].filter((n) => n.recipientId === recipientId),
    eventsOfType: (type: string) => uow.tables.outbox.filter((e) => e.type === type),
  };
  return app;
}

export type UnitApp = ReturnType<typeof unitApp>;

/** `kind:code` of a DomainError, or the error's name for anything else. */
export async function failure(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    const e = err as { kind?: string; code?: string; name: string };
    return e.kind ? `${e.kind}:${e.code}` : e.name;
  }
  throw new Error('expected a failure');
}
