import type { Clock } from '@storytelling/kernel';
import { CLOCK } from '@storytelling/kernel';
import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { getLogger } from '@storytelling/platform';
import { Payment, chargeMismatch, money, type NewCharge } from '../../domain/index.js';
import { PAYMENT_PROVIDER, PAYMENTS_UNIT_OF_WORK, type PaymentProvider, type PaymentsUnitOfWork } from '../ports/index.js';
import { minorUnitsField, requireValid, uuidField } from '../validation.js';

/** A charge as a saga asks for it (ChargePayment on payments.commands): amounts in minor units as a decimal string. */
export interface ChargePaymentInput {
  sagaId: string;
  paymentId: string;
  userId: string;
  subscriptionId: string;
  amountMinor: string;
  currency: string;
  paymentMethod: string;
  description: string;
}

/** The charge once validated: ids lower-case, the currency upper-case, the amount a number. */
export interface ChargeDetails extends Omit<ChargePaymentInput, 'amountMinor'> {
  amountMinor: number;
}

export class ChargePaymentCommand extends Command<Payment> {
  readonly charge: ChargeDetails;

  /** @throws ValidationError PAYMENT_COMMAND_INVALID naming every field that is wrong */
  constructor(request: ChargePaymentInput) {
    super();
    requireValid('ChargePayment', [
      uuidField('sagaId', request.sagaId),
      uuidField('paymentId', request.paymentId),
      uuidField('userId', request.userId),
      minorUnitsField('amountMinor', request.amountMinor, { zero: false }),
      /^[A-Za-z]{3}$/.test(request.currency) ? undefined : { field: 'currency', message: 'must be an ISO 4217 code' },
      request.paymentMethod.trim() !== '' && request.paymentMethod.length <= 255 ? undefined : { field: 'paymentMethod', message: 'is required (at most 255 characters)' },
      request.subscriptionId.length <= 64 ? undefined : { field: 'subscriptionId', message: 'is longer than 64 characters' },
      request.description.length <= 500 ? undefined : { field: 'description', message: 'is longer than 500 characters' },
    ]);
    this.charge = {
      ...request,
      sagaId: request.sagaId.toLowerCase(),
      paymentId: request.paymentId.toLowerCase(),
      userId: request.userId.toLowerCase(),
      amountMinor: Number(request.amountMinor),
      currency: request.currency.toUpperCase(),
    };
  }
}

/**
 * ChargePayment, idempotent by payment id even across crashes (ADR 0011):
 * 1. the payment is recorded `pending` in a transaction of its own (`requires_new`), committed
 *    before the provider is called, whatever happens to the transaction around it;
 * 2. the provider is called with the payment id as its idempotency key (it dedupes: a second call
 *    with the key returns the first outcome);
 * 3. the outcome and its event are written in the ambient transaction: the consumer's inbox
 *    transaction when the command came from payments.commands, so they commit with the inbox row.
 * A crash between 2 and 3 leaves the payment pending; the redelivered command repeats 2 and 3.
 * A settled payment answers again with its stored outcome, without calling the provider.
 * Provider outages throw (the consumer retries, then dead-letters); declines are outcomes; a
 * payment id reused with other facts is PAYMENT_CHARGE_MISMATCH.
 */
@CommandHandler(ChargePaymentCommand)
export class ChargePaymentHandler implements ICommandHandler<ChargePaymentCommand> {
  private readonly log = getLogger('charge-payment');

  constructor(
    @Inject(PAYMENTS_UNIT_OF_WORK) private readonly uow: PaymentsUnitOfWork,
    @Inject(PAYMENT_PROVIDER) private readonly provider: PaymentProvider,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute({ charge: command }: ChargePaymentCommand): Promise<Payment> {
    const charge: NewCharge = {
      id: command.paymentId,
      userId: command.userId,
      subscriptionId: command.subscriptionId,
      sagaId: command.sagaId,
      amount: money(command.amountMinor, command.currency),
      provider: this.provider.name,
      description: command.description,
    };
    await this.uow.run(({ payments }) => payments.insertPendingIfAbsent(Payment.pending(charge, this.clock)), { propagation: 'requires_new' });
    const payment = await this.uow.run(async ({ payments }) => {
      const found = await payments.find(charge.id, { lock: true });
      if (!found) throw new Error(`payment ${charge.id} vanished after insert`);
      assertSameCharge(found, charge);
      if (found.isSettled) {
        found.reannounce();
      } else {
        const result = await this.provider.charge({
          paymentId: charge.id,
          amountMinor: charge.amount.amountMinor,
          currency: charge.amount.currency,
          paymentMethod: command.paymentMethod,
          description: charge.description,
          metadata: { payment_id: charge.id, user_id: charge.userId, subscription_id: charge.subscriptionId, saga_id: charge.sagaId },
        });
        if (result.outcome === 'succeeded') found.succeed(result.providerPaymentId);
        else if (result.outcome === 'declined') found.fail(result.reason, result.message, result.providerPaymentId);
        else found.awaitProvider(result.providerPaymentId);
      }
      await payments.save(found);
      return found;
    });
    this.log.info({ paymentId: payment.id, status: payment.status, sagaId: charge.sagaId }, 'charge handled');
    return payment;
  }
}

function assertSameCharge(payment: Payment, charge: NewCharge): void {
  const s = payment.snapshot;
  const same =
    s.userId === charge.userId &&
    s.amount.amountMinor === charge.amount.amountMinor &&
    s.amount.currency === charge.amount.currency &&
    s.subscriptionId === charge.subscriptionId;
  if (!same) throw chargeMismatch(`payment ${payment.id} exists with another user, amount or subscription`);
  if (s.provider !== charge.provider) throw chargeMismatch(`payment ${payment.id} was made with provider ${s.provider}, this replica uses ${charge.provider}`);
}
