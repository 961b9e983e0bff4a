import { paymentsCommands } from '@storytelling/contracts';
import { BusinessRuleError, uuidv7 } from '@storytelling/kernel';
import type { CommandBus } from '@nestjs/cqrs';
import { MalformedMessageError, NonRetryableError, routeTopics, type CloudEvent } from '@storytelling/platform';
import { ChargePaymentCommand, ProviderRejectedError, ProviderUnavailableError, RefundPaymentCommand } from '../../../src/application/index.js';
import { PaymentsCommandsTranslator } from '../../../src/infrastructure/messaging/payments-commands.translator.js';
import { chargeInput } from '../../support/in-memory.js';

/** The commands the translator put on a fake bus, which answers with `fail` when set. */
class FakeBus {
  readonly executed: unknown[] = [];
  fail: Error | undefined;
  async execute(command: unknown): Promise<void> {
    this.executed.push(command);
    if (this.fail) throw this.fail;
  }
}

function envelope(type: string, subject: string, data: object): CloudEvent {
  return {
    specversion: '1.0',
    id: uuidv7(),
    source: '/storytelling/subscription',
    type,
    subject,
    time: '2026-11-20T10:00:00.000Z',
    datacontenttype: 'application/json',
    data: data as Record<string, unknown>,
    aggregateversion: 1,
    correlationid: subject,
  };
}

describe('PaymentsCommandsTranslator', () => {
  const bus = new FakeBus();
  const [consumer, ...others] = routeTopics([new PaymentsCommandsTranslator(bus as unknown as CommandBus)]);
  const deliver = (event: CloudEvent) => consumer!.handler.handle(event, undefined as never);

  beforeEach(() => {
    bus.executed.length = 0;
    bus.fail = undefined;
  });

  it('consumes payments.commands only', () => {
    expect(others).toEqual([]);
    expect(consumer!.topic).toBe(paymentsCommands.ChargePayment.topic);
  });

  it('turns ChargePayment and RefundPayment into the use cases’ commands', async () => {
    const charge = chargeInput({ currency: 'eur' });
    await deliver(envelope(paymentsCommands.ChargePayment.type, charge.sagaId, charge));
    const sagaId = uuidv7();
    const refund = { sagaId, paymentId: charge.paymentId, amountMinor: '0', reason: 'cancelled' };
    await deliver(envelope(paymentsCommands.RefundPayment.type, sagaId, refund));
    expect(bus.executed).toHaveLength(2);
    expect(bus.executed[0]).toBeInstanceOf(ChargePaymentCommand);
    expect((bus.executed[0] as ChargePaymentCommand).charge).toEqual({ ...charge, currency: 'EUR', amountMinor: 999 });
    expect(bus.executed[1]).toBeInstanceOf(RefundPaymentCommand);
    expect((bus.executed[1] as RefundPaymentCommand).refund).toEqual({ ...refund, amountMinor: 0 });
  });

  it('dead-letters an invalid command (naming the field) or one whose sagaId is not the subject, without executing it', async () => {
    const bad = chargeInput({ amountMinor: '12.5' });
    const err = await deliver(envelope(paymentsCommands.ChargePayment.type, bad.sagaId, bad)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MalformedMessageError);
    expect((err as Error).message).toContain('amountMinor must be a positive integer');
    const other = chargeInput();
    await expect(deliver(envelope(paymentsCommands.ChargePayment.type, uuidv7(), other))).rejects.toBeInstanceOf(MalformedMessageError);
    expect(bus.executed).toEqual([]);
  });

  it('a refusal is a dead letter without retries; an outage is thrown as is (retried)', async () => {
    const charge = chargeInput();
    const event = envelope(paymentsCommands.ChargePayment.type, charge.sagaId, charge);
    for (const refusal of [new BusinessRuleError('PAYMENT_NOT_REFUNDABLE', 'no'), new ProviderRejectedError('sandbox: key reused')]) {
      bus.fail = refusal;
      await expect(deliver(event)).rejects.toBeInstanceOf(NonRetryableError);
    }
    bus.fail = new ProviderUnavailableError('503');
    await expect(deliver(event)).rejects.toBeInstanceOf(ProviderUnavailableError);
  });

  it('ignores other types on the topic', async () => {
    await deliver(envelope('storytelling.payments.payment.capture.v1', uuidv7(), {}));
    expect(bus.executed).toEqual([]);
  });
});
