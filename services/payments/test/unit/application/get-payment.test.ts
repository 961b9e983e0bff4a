import { uuidv7 } from '@storytelling/kernel';
import { ChargePaymentCommand, ChargePaymentHandler, GetPaymentHandler, GetPaymentQuery } from '../../../src/application/index.js';
import { ControllableProvider } from '../../support/controllable-provider.js';
import { chargeInput, fixedClock, inMemoryPayments } from '../../support/in-memory.js';

describe('GetPaymentHandler (in memory)', () => {
  const clock = fixedClock();
  const uow = inMemoryPayments(clock);
  const get = new GetPaymentHandler(uow);
  const owner = { userId: uuidv7(), role: 'member' };
  const input = chargeInput({ userId: owner.userId, amountMinor: '999' });

  beforeAll(async () => {
    await new ChargePaymentHandler(uow, new ControllableProvider(), clock).execute(new ChargePaymentCommand(input));
  });

  it('shows the owner (and support) the payment as a view', async () => {
    expect(await get.execute(new GetPaymentQuery(owner, input.paymentId.toUpperCase()))).toMatchObject({
      id: input.paymentId,
      amountMinor: 999,
      amount: '9.99',
      status: 'succeeded',
      providerPaymentId: expect.stringMatching(/^sbx_pi_/),
      refundedMinor: 0,
      createdAt: clock.now().toISOString(),
    });
    expect(await get.execute(new GetPaymentQuery({ userId: uuidv7(), role: 'customer-support' }, input.paymentId))).toMatchObject({ userId: owner.userId });
  });

  it("is NOT_FOUND for anyone else's payment, an unknown id and a malformed id, alike", async () => {
    for (const [caller, id] of [
      [{ userId: uuidv7(), role: 'member' }, input.paymentId],
      [owner, uuidv7()],
      [owner, 'not-a-uuid'],
    ] as const) {
      await expect(get.execute(new GetPaymentQuery(caller, id))).rejects.toMatchObject({ kind: 'not_found', code: 'PAYMENT_NOT_FOUND' });
    }
  });
});
