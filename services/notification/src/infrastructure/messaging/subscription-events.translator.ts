import { Inject, Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { subscriptionEvents } from '@storytelling/contracts';
import { on, type MessageTranslator } from '@storytelling/platform';
import { NotifySubscriberCommand } from '../../application/index.js';

/**
 * Anti-corruption layer for subscription: an activated subscription and a reached quota become
 * notices for the subscriber (the quota notice once per user, resource and period). Other
 * subscription and usage events are ignored.
 */
@Injectable()
export class SubscriptionEventsTranslator implements MessageTranslator {
  constructor(@Inject(CommandBus) private readonly commands: CommandBus) {}

  readonly routes = [
    on(subscriptionEvents.SubscriptionActivated, (subscription, envelope) =>
      this.commands.execute(
        new NotifySubscriberCommand(subscription.userId, envelope.id, {
          type: 'subscription_activated',
          tier: subscription.tier,
          currentPeriodEnd: subscription.currentPeriodEnd ?? '',
        }),
      ),
    ),
    on(subscriptionEvents.QuotaExceeded, (quota, envelope) =>
      this.commands.execute(
        new NotifySubscriberCommand(quota.userId, envelope.id, {
          type: 'quota_exceeded',
          tier: quota.tier,
          resource: quota.resource,
          used: quota.used,
          limit: quota.limit,
          periodStart: quota.periodStart ?? '',
          occurredAt: envelope.time,
        }),
      ),
    ),
  ];
}
