import type { Clock } from '@storytelling/kernel';
import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { Payment, money, type NewCharge } from '../../domain/index.js';
import { CLOCK, PAYMENT_PROVIDER, PAYMENTS_UNIT_OF_WORK, type PaymentProvider, type PaymentsStore, type PaymentsUnitOfWork } from '../ports/index.js';

/** What a ChargePayment command carries (translated from the payments.commands envelope). */
export interface ChargeDetails {
  /** The command's envelope id (the reply's causation). */
  commandId: string;
  sagaId: string;
  paymentId: string;
  userId: string;
  subscriptionId: string;
  amountMinor: number;
  currency: string;
  paymentMethod: string;
  description: string;
}

export class ChargePaymentCommand extends Command<Payment> {
  constructor(readonly charge: ChargeDetails) {
    super();
  }
}

/** The command names an existing payment with other facts: a sender bug, not something to retry. */
export class ChargeMismatchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ChargeMismatchError';
  }
}

/**
 * ChargePayment, idempotent by payment id even across crashes:
 * 1. the payment is recorded `pending` in a transaction of its own, before the provider is called;
 * 2. the provider is called with the payment id as its idempotency key (it dedupes: a second call
 *    with the key returns the first outcome);
 * 3. the outcome and its event are written in `store`'s transaction (the consumer's, with the inbox row).
 * A crash between 2 and 3 leaves the payment pending; the redelivered command repeats 2 and 3.
 * A settled payment answers again with its stored outcome, without calling the provider.
 * Provider outages throw (the consumer retries, then dead-letters); declines are outcomes.
 *
 * The consumer calls `execute(command, store)` with the store bound to its inbox transaction: the
 * CommandBus carries only the command, not a transaction, and step 3 must commit with the inbox
 * row. Through the bus (no store) the outcome commits in a transaction of the handler's own.
 */
@CommandHandler(ChargePaymentCommand)
export class ChargePaymentHandler implements ICommandHandler<ChargePaymentCommand> {
  constructor(
    @Inject(PAYMENTS_UNIT_OF_WORK) private readonly uow: PaymentsUnitOfWork,
    @Inject(PAYMENT_PROVIDER) private readonly provider: PaymentProvider,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute({ charge: command }: ChargePaymentCommand, store?: PaymentsStore): Promise<Payment> {
    if (!store) return this.uow.run((own) => this.charge(command, own));
    return this.charge(command, store);
  }

  private async charge(command: ChargeDetails, store: PaymentsStore): Promise<Payment> {
    const charge: NewCharge = {
      id: command.paymentId,
      userId: command.userId,
      subscriptionId: command.subscriptionId,
      sagaId: command.sagaId,
      amount: money(command.amountMinor, command.currency),
      provider: this.provider.name,
      description: command.description,
    };
    let payment = await store.findPayment(charge.id, { lock: true });
    if (!payment) {
      await this.uow.run((own) => own.insertPendingIfAbsent(Payment.pending(charge, this.clock)));
      payment = await store.findPayment(charge.id, { lock: true });
      if (!payment) throw new Error(`payment ${charge.id} vanished after insert`);
    }
    assertSameCharge(payment, charge);
    if (payment.isSettled) {
      payment.reannounce();
      await store.save(payment);
      return payment;
    }
    const result = await this.provider.charge({
      paymentId: charge.id,
      amountMinor: charge.amount.amountMinor,
      currency: charge.amount.currency,
      paymentMethod: command.paymentMethod,
      description: charge.description,
      metadata: { payment_id: charge.id, user_id: charge.userId, subscription_id: charge.subscriptionId, saga_id: charge.sagaId },
    });
    if (result.outcome === 'succeeded') payment.succeed(result.providerPaymentId);
    else if (result.outcome === 'declined') payment.fail(result.reason, result.message, result.providerPaymentId);
    else payment.awaitProvider(result.providerPaymentId);
    await store.save(payment);
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
  if (!same) throw new ChargeMismatchError(`payment ${payment.id} exists with another user, amount or subscription`);
  if (s.provider !== charge.provider) throw new ChargeMismatchError(`payment ${payment.id} was made with provider ${s.provider}, this replica uses ${charge.provider}`);
}
