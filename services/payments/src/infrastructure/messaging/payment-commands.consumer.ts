import { DomainError, isUuid, type Clock } from '@storytelling/kernel';
import { Inject, Injectable } from '@nestjs/common';
import { paymentsCommands } from '@storytelling/contracts';
import { EventStore, MalformedMessageError, NonRetryableError, getLogger, type CloudEvent, type EventHandler } from '@storytelling/platform';
import type { EntityManager } from 'typeorm';
import {
  CLOCK,
  ChargeMismatchError,
  ChargePaymentCommand,
  ChargePaymentHandler,
  ProviderRejectedError,
  RefundPaymentCommand,
  RefundPaymentHandler,
  type ChargeDetails,
  type RefundDetails,
} from '../../application/index.js';
import { paymentsStoreIn } from '../persistence/unit-of-work.js';

/** The commands payments accepts (proto/storytelling/payments/v1/commands.proto). */
export const PAYMENT_COMMANDS = {
  charge: 'storytelling.payments.payment.charge.v1',
  refund: 'storytelling.payments.payment.refund.v1',
} as const;

export const PAYMENTS_COMMANDS_TOPIC = 'payments.commands';

/**
 * Consumer of `payments.commands`. Translates the envelope into application commands and runs
 * them in the consumer's inbox transaction; the platform consumer's context makes the saga id
 * (the command's subject) the correlation and the command's id the causation of the replies.
 * - an envelope or payload that is not a valid command → MalformedMessageError (dead letter, no retry);
 * - a refund the payment does not allow, an idempotency key reused with other facts, a provider
 *   refusing the request → NonRetryableError (dead letter);
 * - provider outages and database errors → thrown as is: retried, then dead-lettered.
 * The module consumes one message per transaction (a provider call sits inside it).
 *
 * The handlers are called directly, not through the CommandBus: the bus carries only the command,
 * and the outcome must commit in this transaction, with the inbox row (ADR 0011's crash safety:
 * the pending row commits on its own before the provider call, the outcome with the inbox row).
 */
@Injectable()
export class PaymentCommandsConsumer implements EventHandler {
  private readonly log = getLogger('payment-commands');

  constructor(
    @Inject(ChargePaymentHandler) private readonly charges: ChargePaymentHandler,
    @Inject(RefundPaymentHandler) private readonly refunds: RefundPaymentHandler,
    @Inject(EventStore) private readonly events: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async handle(event: CloudEvent, tx: EntityManager): Promise<void> {
    if (event.type !== PAYMENT_COMMANDS.charge && event.type !== PAYMENT_COMMANDS.refund) return;
    if (!isUuid(event.subject)) throw new MalformedMessageError(`${event.type} ${event.id}: subject (saga id) must be a UUID`);
    const store = paymentsStoreIn(tx, this.events, this.clock);
    try {
      if (event.type === PAYMENT_COMMANDS.charge) {
        const payment = await this.charges.execute(new ChargePaymentCommand(chargeCommand(event)), store);
        this.log.info({ paymentId: payment.id, status: payment.status, sagaId: event.subject }, 'charge handled');
      } else {
        const payment = await this.refunds.execute(new RefundPaymentCommand(refundCommand(event)), store);
        this.log.info({ paymentId: payment.id, refundedMinor: payment.snapshot.refundedMinor, sagaId: event.subject }, 'refund handled');
      }
    } catch (err) {
      if (err instanceof DomainError && err.kind === 'validation') throw new MalformedMessageError(`${event.type} ${event.id}: ${err.message}`);
      if (err instanceof DomainError) throw new NonRetryableError(`${event.type} ${event.id}: ${err.code}: ${err.message}`, { cause: err });
      if (err instanceof ChargeMismatchError || err instanceof ProviderRejectedError) {
        throw new NonRetryableError(`${event.type} ${event.id}: ${err.message}`, { cause: err });
      }
      throw err;
    }
  }
}

function chargeCommand(event: CloudEvent): ChargeDetails {
  const data = paymentsCommands.ChargePayment.fromJSON(event.data);
  const problems: string[] = [];
  if (!isUuid(data.paymentId)) problems.push('paymentId must be a UUID');
  if (!isUuid(data.userId)) problems.push('userId must be a UUID');
  if (data.sagaId && data.sagaId.toLowerCase() !== event.subject.toLowerCase()) problems.push('sagaId differs from the subject');
  if (!/^[1-9][0-9]{0,15}$/.test(data.amountMinor) || !Number.isSafeInteger(Number(data.amountMinor))) problems.push('amountMinor must be a positive integer');
  if (!/^[A-Za-z]{3}$/.test(data.currency)) problems.push('currency must be an ISO 4217 code');
  if (data.paymentMethod.trim() === '' || data.paymentMethod.length > 255) problems.push('paymentMethod is required');
  if (data.subscriptionId.length > 64 || data.description.length > 500) problems.push('subscriptionId or description too long');
  if (problems.length > 0) throw new MalformedMessageError(`${event.type} ${event.id}: ${problems.join('; ')}`);
  return {
    commandId: event.id,
    sagaId: event.subject.toLowerCase(),
    paymentId: data.paymentId.toLowerCase(),
    userId: data.userId.toLowerCase(),
    subscriptionId: data.subscriptionId,
    amountMinor: Number(data.amountMinor),
    currency: data.currency.toUpperCase(),
    paymentMethod: data.paymentMethod,
    description: data.description,
  };
}

function refundCommand(event: CloudEvent): RefundDetails {
  const data = paymentsCommands.RefundPayment.fromJSON(event.data);
  const problems: string[] = [];
  if (!isUuid(data.paymentId)) problems.push('paymentId must be a UUID');
  if (data.sagaId && data.sagaId.toLowerCase() !== event.subject.toLowerCase()) problems.push('sagaId differs from the subject');
  if (!/^(0|[1-9][0-9]{0,15})$/.test(data.amountMinor) || !Number.isSafeInteger(Number(data.amountMinor))) problems.push('amountMinor must be 0 or a positive integer');
  if (problems.length > 0) throw new MalformedMessageError(`${event.type} ${event.id}: ${problems.join('; ')}`);
  return {
    commandId: event.id,
    sagaId: event.subject.toLowerCase(),
    paymentId: data.paymentId.toLowerCase(),
    amountMinor: Number(data.amountMinor),
    reason: data.reason,
  };
}
