import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { PAYMENTS_UNIT_OF_WORK, type PaymentsUnitOfWork } from '../ports/index.js';
import { requireValid, uuidField } from '../validation.js';

/** identity deactivated a user (UserDeactivated): erase what payments holds of them beyond the books. */
export class EraseUserPaymentDetailsCommand extends Command<number> {
  constructor(readonly userId: string) {
    super();
  }
}

/**
 * Erasure in payments (issue 13): accounting must keep each payment's amounts, currency, dates,
 * status and provider ids, so the rows stay (with the user id, a pseudonym once identity has
 * erased the account). What else they hold goes: the description, the provider's failure message,
 * refund reasons and the raw webhook payloads (which may carry a provider's customer details).
 * Idempotent. @returns how many payments were touched.
 */
@CommandHandler(EraseUserPaymentDetailsCommand)
export class EraseUserPaymentDetailsHandler implements ICommandHandler<EraseUserPaymentDetailsCommand> {
  constructor(@Inject(PAYMENTS_UNIT_OF_WORK) private readonly uow: PaymentsUnitOfWork) {}

  async execute(command: EraseUserPaymentDetailsCommand): Promise<number> {
    requireValid('EraseUserPaymentDetails', [uuidField('userId', command.userId)]);
    const userId = command.userId;
    return this.uow.run(async (repos) => {
      const paymentIds = await repos.payments.forgetUserDetails(userId.toLowerCase());
      await repos.refunds.forgetReasons(paymentIds);
      await repos.providerEvents.forgetPayloads(paymentIds);
      return paymentIds.length;
    });
  }
}
