import { Inject, Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { paymentsCommands } from '@storytelling/contracts';
import { on, type MessageTranslator } from '@storytelling/platform';
import { ChargePaymentCommand, RefundPaymentCommand } from '../../application/index.js';

/**
 * `payments.commands` (proto/storytelling/payments/v1/commands.proto) → the charge and refund
 * use cases. The consumer runs each route in its inbox transaction, which the handlers join;
 * its context makes the saga id (the subject) the correlation and the command's id the causation
 * of the replies. `on` checks the payload's sagaId against the subject; the commands validate
 * the rest (a ValidationError is a dead letter at once). A refusal (PAYMENT_NOT_REFUNDABLE, a
 * payment id reused with other facts, the provider refusing) is dead-lettered without retries;
 * provider outages and database errors are retried, then dead-lettered.
 */
@Injectable()
export class PaymentsCommandsTranslator implements MessageTranslator {
  constructor(@Inject(CommandBus) private readonly commands: CommandBus) {}

  readonly routes = [
    on(paymentsCommands.ChargePayment, (charge) => this.commands.execute(new ChargePaymentCommand(charge))),
    on(paymentsCommands.RefundPayment, (refund) => this.commands.execute(new RefundPaymentCommand(refund))),
  ];
}
