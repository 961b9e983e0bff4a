import { CLOCK, uuidv7, type Clock } from '@storytelling/kernel';
import { Inject, Injectable } from '@nestjs/common';
import {
  CHANNELS_BY_TYPE,
  isUrgent,
  linkPath,
  releaseTime,
  templateLanguage,
  wants,
  type NotificationRepositories,
  type NotificationType,
  type Recipient,
  type StoredDelivery,
  type TemplateData,
} from '../domain/index.js';
import { RecipientNotYetKnownError } from './errors.js';
import { TEMPLATE_RENDERER, type TemplateRenderer } from './ports/index.js';

export interface NotifyRequest {
  recipientId: string;
  type: NotificationType;
  /** The event that caused it (or the key standing for it): with the recipient and channel, the delivery's unique key. */
  sourceEventId: string;
  data: TemplateData;
}

export type NotifyOutcome = 'created' | 'duplicate' | 'unknown_recipient' | 'inactive' | 'no_channel';

/**
 * Turns "recipient X should hear about event E" into a notification and one delivery per channel
 * the recipient wants, through the repositories of the caller's unit of work (in a consumer: its
 * inbox transaction), so a redelivered event finds the (source event, recipient) row and writes
 * nothing. In-app is stored (= delivered) at once; email and SMS are `pending`, or `scheduled`
 * until quiet hours end (urgent types ignore quiet hours). The sender sends them. Shared by the
 * command handlers that notify (welcome, billing and narration notices, followers).
 */
@Injectable()
export class NotificationPlanner {
  constructor(
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(TEMPLATE_RENDERER) private readonly templates: TemplateRenderer,
  ) {}

  async notify(repos: NotificationRepositories, request: NotifyRequest): Promise<NotifyOutcome> {
    const recipient = await repos.recipients.find(request.recipientId);
    if (!recipient) return 'unknown_recipient';
    if (!recipient.active) return 'inactive';
    return this.notifyRecipient(repos, recipient, request);
  }

  /**
   * `notify` for a recipient who must exist (billing and narration notices): one identity has not
   * told us about yet is RecipientNotYetKnownError, which the consumer retries, then dead-letters.
   */
  async notifyKnown(repos: NotificationRepositories, request: NotifyRequest): Promise<NotifyOutcome> {
    const outcome = await this.notify(repos, request);
    if (outcome === 'unknown_recipient') throw new RecipientNotYetKnownError(request.recipientId);
    return outcome;
  }

  async notifyRecipient(repos: NotificationRepositories, recipient: Recipient, request: NotifyRequest): Promise<NotifyOutcome> {
    const now = this.clock.now();
    const channels = CHANNELS_BY_TYPE[request.type].filter((c) => wants(recipient.preferences, request.type, c) && (c !== 'email' || recipient.email !== null));
    if (channels.length === 0) return 'no_channel';
    const notificationId = uuidv7();
    const inApp = channels.includes('in_app');
    const rendered = inApp
      ? this.templates.render(request.type, templateLanguage(recipient.language), {
          ...request.data,
          displayName: recipient.displayName ?? '',
          linkPath: linkPath(request.type, request.data),
        })
      : null;
    const release = isUrgent(request.type) ? now : releaseTime(now, recipient.preferences.quietHours);
    const deliveries: StoredDelivery[] = channels.map((channel) => ({
      id: uuidv7(),
      notificationId,
      recipientId: recipient.id,
      type: request.type,
      channel,
      sourceEventId: request.sourceEventId,
      status: channel === 'in_app' ? 'sent' : release.getTime() > now.getTime() ? 'scheduled' : 'pending',
      attempts: channel === 'in_app' ? 1 : 0,
      lastError: null,
      providerMessageId: null,
      nextAttemptAt: channel === 'in_app' ? null : release,
      sentAt: channel === 'in_app' ? now : null,
      createdAt: now,
    }));
    const created = await repos.notifications.create(
      {
        id: notificationId,
        recipientId: recipient.id,
        type: request.type,
        sourceEventId: request.sourceEventId,
        data: request.data,
        inApp,
        title: rendered?.title ?? null,
        body: rendered?.body ?? null,
        link: rendered?.link ?? null,
        readAt: null,
        createdAt: now,
      },
      deliveries,
    );
    if (!created) return 'duplicate';
    for (const d of deliveries) if (d.channel === 'in_app') await repos.events.sent(d, `in_app:${notificationId}`, 1, now);
    return 'created';
  }
}
