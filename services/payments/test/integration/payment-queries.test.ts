import { uuidv7 } from '@storytelling/kernel';
import type { ServiceHandle } from '@storytelling/platform';
import { waitUntil } from '@storytelling/testing';
import { CommandSender, as, chargeData, outcome, paymentsClient, registerUser, startIdentity, startPayments, type IdentityStack, type PaymentsClient, type TestUser } from '../support/harness.js';
import { createPaymentsSandbox } from '../support/sandbox.js';

/** ListPayments / GetPayment with real identity tokens. */
describe('ListPayments and GetPayment', () => {
  let identity: IdentityStack;
  let app: ServiceHandle;
  let client: PaymentsClient;
  let sender: CommandSender;
  let ann: TestUser;
  let bob: TestUser;
  const annPayments: string[] = [];

  beforeAll(async () => {
    const sandbox = await createPaymentsSandbox('query');
    identity = await startIdentity(sandbox);
    app = await startPayments(sandbox, identity.handle.grpcUrl!);
    client = paymentsClient(app);
    sender = await CommandSender.start(sandbox);
    ann = await registerUser(identity.client, 'ann');
    bob = await registerUser(identity.client, 'bob');
    for (const [amount, token] of [['999', 'tok_visa'], ['1999', 'tok_chargeDeclined'], ['100000', 'tok_visa']] as const) {
      const sagaId = uuidv7();
      const data = chargeData({ sagaId, userId: ann.id, amountMinor: amount, paymentMethod: token });
      annPayments.push(data.paymentId as string);
      await sender.send('charge', sagaId, data);
      // One at a time, so created_at orders them as sent.
      await waitUntil(async () => (await client.listPayments({ userId: '' }, as(ann))).payments.some((p) => p.id === data.paymentId && p.status !== 'pending'), 20_000);
    }
  });

  afterAll(async () => {
    await sender?.close();
    client?.close();
    await app?.close();
    await identity?.close();
  });

  it("lists the caller's payments newest first, amounts in minor units + currency + decimal string", async () => {
    const { payments, page } = await client.listPayments({ userId: '' }, as(ann));
    expect(payments.map((p) => p.id)).toEqual([...annPayments].reverse());
    expect(payments[0]).toMatchObject({ userId: ann.id, amountMinor: '100000', currency: 'USD', amount: '1000.00', status: 'succeeded', provider: 'sandbox' });
    expect(payments[1]).toMatchObject({ amountMinor: '1999', amount: '19.99', status: 'failed', failureReason: 'card_declined' });
    expect(page?.nextCursor ?? '').toBe('');
    expect((await client.listPayments({ userId: '' }, as(bob))).payments).toEqual([]);
  });

  it('pages with an opaque cursor; a forged cursor or an oversized limit is INVALID_ARGUMENT', async () => {
    const first = await client.listPayments({ userId: '', page: { limit: 2, cursor: '' } }, as(ann));
    expect(first.payments).toHaveLength(2);
    const second = await client.listPayments({ userId: '', page: { limit: 2, cursor: first.page!.nextCursor } }, as(ann));
    expect(second.payments.map((p) => p.id)).toEqual([annPayments[0]]);
    expect(second.page?.nextCursor ?? '').toBe('');
    expect(await outcome(client.listPayments({ userId: '', page: { limit: 2, cursor: 'bm9wZQ' } }, as(ann)))).toBe('INVALID_ARGUMENT:INVALID_CURSOR');
    // A cursor whose time PostgreSQL cannot hold is refused before any SQL (issue 12, item 2).
    const outOfRange = Buffer.from(JSON.stringify(['-005000-01-01T00:00:00.000Z', '0190a0d0-0000-7000-8000-0000000000aa'])).toString('base64url');
    expect(await outcome(client.listPayments({ userId: '', page: { limit: 2, cursor: outOfRange } }, as(ann)))).toBe('INVALID_ARGUMENT:INVALID_CURSOR');
    expect(await outcome(client.listPayments({ userId: '', page: { limit: 101, cursor: '' } }, as(ann)))).toBe('INVALID_ARGUMENT:VALIDATION_FAILED');
  });

  it("a member cannot list another user's payments; GetPayment is owner-only (others: NOT_FOUND); no token: UNAUTHENTICATED", async () => {
    expect(await outcome(client.listPayments({ userId: ann.id }, as(bob)))).toBe('PERMISSION_DENIED:FORBIDDEN');
    expect((await client.getPayment({ paymentId: annPayments[0]! }, as(ann))).payment).toMatchObject({ id: annPayments[0], amount: '9.99' });
    expect(await outcome(client.getPayment({ paymentId: annPayments[0]! }, as(bob)))).toBe('NOT_FOUND:PAYMENT_NOT_FOUND');
    expect(await outcome(client.getPayment({ paymentId: uuidv7() }, as(ann)))).toBe('NOT_FOUND:PAYMENT_NOT_FOUND');
    expect(await outcome(client.listPayments({ userId: '' }))).toBe('UNAUTHENTICATED:UNAUTHENTICATED');
  });

  it("support roles may read another user's payments", async () => {
    const login = await identity.client.login({ email: identity.superAdmin.email, password: identity.superAdmin.password });
    const admin = { id: login.user!.id, token: login.accessToken };
    const { payments } = await client.listPayments({ userId: ann.id }, as(admin));
    expect(payments.map((p) => p.id).sort()).toEqual([...annPayments].sort());
    expect((await client.getPayment({ paymentId: annPayments[1]! }, as(admin))).payment).toMatchObject({ userId: ann.id, status: 'failed' });
  });
});
