import type { EventProbe, ProbedEvent } from '@storytelling/testing';
import type { Publisher } from './harness.js';

export const CHARGE = 'storytelling.payments.payment.charge.v1';
export const REFUND = 'storytelling.payments.payment.refund.v1';

export interface ChargeCommand {
  sagaId: string;
  paymentId: string;
  userId: string;
  subscriptionId: string;
  amountMinor: string;
  currency: string;
  paymentMethod: string;
  description: string;
}

/** The fields every payment event of the sandbox provider carries, from the charge it answers. */
function paymentOf(c: ChargeCommand): Record<string, unknown> {
  return { paymentId: c.paymentId, userId: c.userId, subscriptionId: c.subscriptionId, amountMinor: c.amountMinor, currency: c.currency, provider: 'sandbox', sagaId: c.sagaId };
}

/**
 * The test plays the payments context: it reads commands off payments.commands and answers on
 * payments.payment.events exactly as payments does (subject = payment id, correlationid = the
 * command's correlationid = saga id, causationid = the command id).
 */
export class PaymentsDouble {
  constructor(
    private readonly commands: EventProbe,
    private readonly publisher: Publisher,
  ) {}

  /** How many commands were seen so far: `charge(id, mark())` waits for a charge sent after this point. */
  mark(): number {
    return this.commands.received.length;
  }

  /** The first ChargePayment for the subscription received at or after index `from` of everything received. */
  async charge(subscriptionId: string, from = 0): Promise<ProbedEvent<ChargeCommand>> {
    return (await this.commands.waitFor(
      (e) => e.envelope.type === CHARGE && (e.envelope.data as ChargeCommand).subscriptionId === subscriptionId && this.commands.received.indexOf(e) >= from,
      20_000,
    )) as ProbedEvent<ChargeCommand>;
  }

  charges(paymentId: string): ProbedEvent[] {
    return this.commands.received.filter((e) => e.envelope.type === CHARGE && (e.envelope.data as ChargeCommand).paymentId === paymentId);
  }

  refunds(paymentId: string): ProbedEvent[] {
    return this.commands.received.filter((e) => e.envelope.type === REFUND && (e.envelope.data as { paymentId: string }).paymentId === paymentId);
  }

  processed(cmd: ProbedEvent<ChargeCommand>): Promise<string> {
    const c = cmd.envelope.data;
    return this.reply(cmd, 'storytelling.payments.payment.processed.v1', { ...paymentOf(c), providerPaymentId: `sbx_${c.paymentId}`, processedAt: new Date().toISOString() });
  }

  failed(cmd: ProbedEvent<ChargeCommand>, reason: string): Promise<string> {
    return this.reply(cmd, 'storytelling.payments.payment.failed.v1', { ...paymentOf(cmd.envelope.data), reason, message: reason.replace('_', ' '), failedAt: new Date().toISOString() });
  }

  refunded(cmd: ProbedEvent<{ sagaId: string; paymentId: string }>, charge: ChargeCommand): Promise<string> {
    return this.reply(cmd, 'storytelling.payments.payment.refunded.v1', { ...paymentOf(charge), providerRefundId: `sbx_re_${charge.paymentId}`, refundedAt: new Date().toISOString() });
  }

  private reply(cmd: ProbedEvent<{ paymentId: string }>, type: string, data: Record<string, unknown>): Promise<string> {
    return this.publisher.publish('payments.payment.events', {
      type,
      subject: cmd.envelope.data.paymentId,
      source: '/storytelling/payments',
      data,
      correlationid: cmd.envelope.correlationid as string,
      causationid: cmd.envelope.id,
    });
  }
}
