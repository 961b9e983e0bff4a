import { Inject, Injectable } from '@nestjs/common';
import { EventStore, MalformedMessageError, getLogger, type CloudEvent, type EventHandler } from '@storytelling/platform';
import type { EntityManager } from 'typeorm';
import { NotificationPlanner, type NotifyRequest } from '../../application/delivery/notification-planner.js';
import { formatMinor, integerField, requireUuidField, stringField } from './event-data.js';
import { quotaNoticeKey, quotaPeriodOf } from './quota-notice-key.js';
import { typeOrmRepositories } from '../persistence/repositories.js';

export const PAYMENT_TOPIC = 'payments.payment.events';
export const SUBSCRIPTION_TOPIC = 'subscription.subscription.events';
export const USAGE_TOPIC = 'subscription.usage.events';

export const BILLING_EVENTS = {
  paymentFailed: 'storytelling.payments.payment.failed.v1',
  subscriptionActivated: 'storytelling.subscription.subscription.activated.v1',
  quotaExceeded: 'storytelling.subscription.usage.quota_exceeded.v1',
} as const;

/** A recipient identity has not told us about yet: retried (identity's event is usually just behind). */
export class RecipientNotYetKnownError extends Error {
  constructor(userId: string) {
    super(`recipient ${userId} is not known yet`);
    this.name = 'RecipientNotYetKnownError';
  }
}

/**
 * Anti-corruption layer for payments and subscription: PaymentFailed (urgent), SubscriptionActivated
 * and QuotaExceeded become a notification for the subscriber, with only the values the templates
 * show. QuotaExceeded is keyed by (user, resource, quota period), not by event: one notice per
 * period, however often the author retries. Other events on these topics are ignored.
 */
@Injectable()
export class BillingEventsTranslator implements EventHandler {
  private readonly log = getLogger('acl');

  constructor(
    @Inject(EventStore) private readonly events: EventStore,
    @Inject(NotificationPlanner) private readonly planner: NotificationPlanner,
  ) {}

  async handle(event: CloudEvent, tx: EntityManager): Promise<void> {
    const request = this.request(event);
    if (!request) return;
    const outcome = await this.planner.notify(typeOrmRepositories(tx, this.events), request);
    if (outcome === 'unknown_recipient') throw new RecipientNotYetKnownError(request.recipientId);
    this.log.debug({ eventId: event.id, type: request.type, outcome }, 'billing notification planned');
  }

  private request(event: CloudEvent): NotifyRequest | undefined {
    switch (event.type) {
      case BILLING_EVENTS.paymentFailed:
        return {
          recipientId: requireUuidField(event, 'userId'),
          type: 'payment_failed',
          sourceEventId: event.id,
          data: {
            amount: formatMinor(integerField(event, 'amountMinor')),
            currency: stringField(event, 'currency').toUpperCase(),
            message: stringField(event, 'message') || stringField(event, 'reason'),
          },
        };
      case BILLING_EVENTS.subscriptionActivated:
        return {
          recipientId: requireUuidField(event, 'userId'),
          type: 'subscription_activated',
          sourceEventId: event.id,
          data: { tier: stringField(event, 'tier'), periodEnd: stringField(event, 'currentPeriodEnd').slice(0, 10) },
        };
      case BILLING_EVENTS.quotaExceeded: {
        const recipientId = requireUuidField(event, 'userId');
        const resource = stringField(event, 'resource');
        const period = quotaPeriodOf(stringField(event, 'periodStart'), event.time);
        if (!period) throw new MalformedMessageError(`${event.type} ${event.id}: periodStart is not a time`);
        return {
          recipientId,
          type: 'quota_exceeded',
          sourceEventId: quotaNoticeKey(recipientId, resource, period),
          data: {
            tier: stringField(event, 'tier'),
            resource,
            used: integerField(event, 'used'),
            limit: integerField(event, 'limit'),
          },
        };
      }
      default:
        return undefined;
    }
  }
}
