import type { Clock } from '@storytelling/kernel';
import { CLOCK } from '@storytelling/kernel';
import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { currentContext, runWithContext } from '@storytelling/platform';
import { providerNotFound, type Payment, type PaymentRepository, type ProviderEvent } from '../../domain/index.js';
import { PAYMENTS_UNIT_OF_WORK, WEBHOOK_VERIFIERS, type PaymentsUnitOfWork, type WebhookVerifier } from '../ports/index.js';

export type WebhookOutcome = 'applied' | 'duplicate' | 'ignored';

export class HandleWebhookCommand extends Command<WebhookOutcome> {
  constructor(
    readonly provider: string,
    /** The raw body, exactly as received (the signature covers these bytes). */
    readonly payload: Buffer,
    /** Lower-case header names. */
    readonly headers: Readonly<Record<string, string>>,
  ) {
    super();
  }
}

/**
 * A provider webhook: verified (signature + timestamp tolerance), deduplicated by the provider's
 * event id (the event row and its effect commit together), then applied to the payment only
 * forward (pending → succeeded|failed → refunded): an event overtaken by a later one is kept
 * but changes nothing. Events are emitted only on a real transition.
 */
@CommandHandler(HandleWebhookCommand)
export class HandleWebhookHandler implements ICommandHandler<HandleWebhookCommand> {
  constructor(
    @Inject(PAYMENTS_UNIT_OF_WORK) private readonly uow: PaymentsUnitOfWork,
    @Inject(WEBHOOK_VERIFIERS) private readonly verifiers: ReadonlyMap<string, WebhookVerifier>,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute(input: HandleWebhookCommand): Promise<WebhookOutcome> {
    const verifier = this.verifiers.get(input.provider);
    if (!verifier) throw providerNotFound(input.provider);
    const receivedAt = this.clock.now();
    const event = verifier.verify({ payload: input.payload, headers: input.headers, receivedAt });
    return this.uow.run(async ({ payments, providerEvents }) => {
      const fresh = await providerEvents.record({
        provider: input.provider,
        eventId: event.id,
        type: event.type,
        paymentId: event.paymentId ?? null,
        payload: JSON.parse(input.payload.toString('utf8')) as unknown,
        receivedAt,
      });
      if (!fresh) return 'duplicate';
      const payment = await paymentOf(payments, input.provider, event);
      const applied = payment ? apply(payment, event) : false;
      // The events a webhook causes belong to the payment's saga, like the command's replies.
      if (payment && applied) await runWithContext({ ...currentContext(), correlationId: payment.snapshot.sagaId }, () => payments.save(payment));
      const outcome: WebhookOutcome = applied ? 'applied' : 'ignored';
      await providerEvents.setOutcome(input.provider, event.id, outcome, payment?.id ?? null);
      return outcome;
    });
  }
}

async function paymentOf(payments: PaymentRepository, provider: string, event: ProviderEvent): Promise<Payment | undefined> {
  if (event.kind === 'other') return undefined;
  const byId = event.paymentId ? await payments.find(event.paymentId, { lock: true }) : undefined;
  const payment = byId ?? (event.providerPaymentId ? await payments.findByProviderId(provider, event.providerPaymentId, { lock: true }) : undefined);
  // A payment made through another provider is not this provider's to change.
  return payment && payment.snapshot.provider === provider ? payment : undefined;
}

function apply(payment: Payment, event: ProviderEvent): boolean {
  switch (event.kind) {
    case 'payment_succeeded':
      return payment.applyProviderSuccess(event.providerPaymentId);
    case 'payment_failed':
      return payment.applyProviderFailure(event.reason, event.message, event.providerPaymentId);
    case 'refunded':
      return payment.applyProviderRefundTotal(event.totalRefundedMinor, event.providerPaymentId, event.providerRefundId);
    default:
      return false;
  }
}
