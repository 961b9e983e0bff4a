import { Inject, Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { paymentsEvents } from '@storytelling/contracts';
import { on, type MessageTranslator } from '@storytelling/platform';
import { NotifySubscriberCommand } from '../../application/index.js';

/** Anti-corruption layer for payments: a refused charge warns the payer (urgent). Other payment events are ignored. */
@Injectable()
export class PaymentsEventsTranslator implements MessageTranslator {
  constructor(@Inject(CommandBus) private readonly commands: CommandBus) {}

  readonly routes = [
    on(paymentsEvents.PaymentFailed, (payment, envelope) =>
      this.commands.execute(
        new NotifySubscriberCommand(payment.userId, envelope.id, {
          type: 'payment_failed',
          amountMinor: payment.amountMinor,
          currency: payment.currency,
          message: payment.message,
          reason: payment.reason,
        }),
      ),
    ),
  ];
}
