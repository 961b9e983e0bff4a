import { CLOCK, type Clock } from '@storytelling/kernel';
import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { afterFailure, linkPath, templateLanguage, wants, type RetryPolicy, type StoredDelivery } from '../../domain/index.js';
import {
  EMAIL_SENDER,
  NOTIFICATION_UNIT_OF_WORK,
  SENDER_SETTINGS,
  SMS_SENDER,
  TEMPLATE_RENDERER,
  type EmailSender,
  type NotificationUnitOfWork,
  type SenderSettings,
  type SmsSender,
  type TemplateRenderer,
} from '../ports/index.js';

/** The Message-ID of a delivery's email: the same on every attempt. */
export function messageIdFor(deliveryId: string): string {
  return `<${deliveryId}@notification.storytelling>`;
}

export interface SendRoundResult {
  sent: number;
  retried: number;
  failed: number;
  skipped: number;
}

/** One sender round (the sender worker runs them; tests run them one by one). */
export class SendDueDeliveriesCommand extends Command<SendRoundResult> {}

/**
 * Sends due email/SMS deliveries. A round claims a batch (attempts + 1, next_attempt_at moved to
 * the lease end) in a transaction of its own that commits before anything is sent, sends each
 * through its channel port, then records the outcome with its event in one transaction. A crash
 * between claim and outcome leaves the row due again after the lease: at-least-once towards the
 * provider, exactly one delivery row. Rendering happens here, from the recipient's current data:
 * an erased or muted recipient is skipped.
 */
@CommandHandler(SendDueDeliveriesCommand)
export class SendDueDeliveriesHandler implements ICommandHandler<SendDueDeliveriesCommand> {
  private readonly policy: RetryPolicy;

  constructor(
    @Inject(NOTIFICATION_UNIT_OF_WORK) private readonly uow: NotificationUnitOfWork,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(TEMPLATE_RENDERER) private readonly templates: TemplateRenderer,
    @Inject(EMAIL_SENDER) private readonly email: EmailSender,
    @Inject(SMS_SENDER) private readonly sms: SmsSender,
    @Inject(SENDER_SETTINGS) private readonly settings: SenderSettings,
  ) {
    this.policy = { maxAttempts: settings.maxAttempts, baseMs: settings.retryBaseMs, maxMs: settings.retryMaxMs };
  }

  async execute(_command: SendDueDeliveriesCommand): Promise<SendRoundResult> {
    const result: SendRoundResult = { sent: 0, retried: 0, failed: 0, skipped: 0 };
    const now = this.clock.now();
    const leaseUntil = new Date(now.getTime() + this.settings.leaseMs);
    const claimed = await this.uow.run((repos) => repos.deliveries.claimDue(now, leaseUntil, this.settings.batchSize), { propagation: 'requires_new' });
    for (const delivery of claimed) result[await this.deliver(delivery)] += 1;
    return result;
  }

  private async deliver(d: StoredDelivery): Promise<keyof SendRoundResult> {
    const [recipient, notification] = await Promise.all([this.uow.reader.recipients.find(d.recipientId), this.uow.reader.notifications.find(d.notificationId)]);
    const skip = async (reason: string) => {
      await this.uow.reader.deliveries.markSkipped(d.id, reason, this.clock.now());
      return 'skipped' as const;
    };
    if (!recipient || !recipient.active || !notification) return skip('recipient deactivated');
    if (!wants(recipient.preferences, d.type, d.channel)) return skip('turned off in preferences');
    const message = this.templates.render(d.type, templateLanguage(recipient.language), {
      ...notification.data,
      displayName: recipient.displayName ?? '',
      linkPath: linkPath(d.type, notification.data),
    });
    let providerMessageId: string;
    try {
      if (d.channel === 'email') {
        if (!recipient.email) return skip('no email address');
        ({ providerMessageId } = await this.email.send({ to: recipient.email, subject: message.subject, text: message.text, html: message.html, messageId: messageIdFor(d.id) }));
      } else if (d.channel === 'sms') {
        if (!recipient.preferences.phone) return skip('no phone number');
        ({ providerMessageId } = await this.sms.send({ to: recipient.preferences.phone, body: message.sms, reference: d.id }));
      } else {
        return skip('in-app is delivered when stored');
      }
    } catch (err) {
      const error = err instanceof Error ? `${err.name}: ${err.message}`.slice(0, 1000) : String(err);
      const at = this.clock.now();
      const next = afterFailure(this.policy, d.attempts, at);
      if ('retryAt' in next) {
        await this.uow.reader.deliveries.markRetry(d.id, error, next.retryAt, at);
        return 'retried';
      }
      await this.uow.run(async (repos) => {
        await repos.deliveries.markFailed(d.id, error, at);
        await repos.events.failed(d, error, d.attempts, at);
      });
      return 'failed';
    }
    const at = this.clock.now();
    await this.uow.run(async (repos) => {
      await repos.deliveries.markSent(d.id, providerMessageId, at);
      await repos.events.sent(d, providerMessageId, d.attempts, at);
    });
    return 'sent';
  }
}
