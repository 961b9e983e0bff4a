import { uuidv7 } from '@storytelling/kernel';
import { ChargePaymentCommand, ChargePaymentHandler, ListPaymentsHandler, ListPaymentsQuery } from '../../../src/application/index.js';
import { ControllableProvider } from '../../support/controllable-provider.js';
import { chargeInput, fixedClock, inMemoryPayments, type PaymentsUnitOfWorkInMemory } from '../../support/in-memory.js';

describe('ListPaymentsHandler (in memory)', () => {
  const clock = fixedClock();
  const ann = { userId: uuidv7(), role: 'member' };
  const bob = { userId: uuidv7(), role: 'member' };
  let uow: PaymentsUnitOfWorkInMemory;
  let list: ListPaymentsHandler;
  const annPayments: string[] = [];

  beforeAll(async () => {
    uow = inMemoryPayments(clock);
    list = new ListPaymentsHandler(uow);
    const charges = new ChargePaymentHandler(uow, new ControllableProvider(), clock);
    for (const [amountMinor, paymentMethod] of [['999', 'tok_visa'], ['1999', 'tok_chargeDeclined'], ['100000', 'tok_visa']] as const) {
      const input = chargeInput({ userId: ann.userId, amountMinor, paymentMethod });
      annPayments.push(input.paymentId);
      await charges.execute(new ChargePaymentCommand(input));
      clock.advance(1000);
    }
  });

  it("lists the caller's payments newest first, amounts in minor units, currency and decimal string", async () => {
    const page = await list.execute(new ListPaymentsQuery(ann, {}));
    expect(page.items.map((p) => p.id)).toEqual([...annPayments].reverse());
    expect(page.items[0]).toMatchObject({ userId: ann.userId, amountMinor: 100000, currency: 'USD', amount: '1000.00', status: 'succeeded', provider: 'sandbox' });
    expect(page.items[1]).toMatchObject({ amount: '19.99', status: 'failed', failureReason: 'card_declined' });
    expect(page.nextCursor).toBeUndefined();
    expect((await list.execute(new ListPaymentsQuery(bob, {}))).items).toEqual([]);
  });

  it('pages with an opaque cursor', async () => {
    const first = await list.execute(new ListPaymentsQuery(ann, { limit: 2 }));
    expect(first.items).toHaveLength(2);
    const second = await list.execute(new ListPaymentsQuery(ann, { limit: 2, cursor: first.nextCursor! }));
    expect(second.items.map((p) => p.id)).toEqual([annPayments[0]]);
    expect(second.nextCursor).toBeUndefined();
    await expect(list.execute(new ListPaymentsQuery(ann, { limit: 101 }))).rejects.toMatchObject({ kind: 'validation', code: 'VALIDATION_FAILED' });
  });

  it("a member cannot list another user's payments; support roles and services can", async () => {
    await expect(list.execute(new ListPaymentsQuery(bob, { userId: ann.userId }))).rejects.toMatchObject({ kind: 'forbidden', code: 'FORBIDDEN' });
    for (const role of ['customer-support', 'admin', 'service']) {
      const page = await list.execute(new ListPaymentsQuery({ userId: uuidv7(), role }, { userId: ann.userId.toUpperCase() }));
      expect(page.items.map((p) => p.id).sort()).toEqual([...annPayments].sort());
    }
    await expect(list.execute(new ListPaymentsQuery({ userId: uuidv7(), role: 'admin' }, { userId: 'nope' }))).rejects.toMatchObject({ kind: 'validation' });
  });
});
