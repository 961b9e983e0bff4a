import { uuidv7 } from '@storytelling/kernel';
import { ProviderRejectedError, ProviderUnavailableError, type ChargeRequest } from '../../src/application/index.js';
import { StripePaymentProvider } from '../../src/infrastructure/providers/index.js';
import { FakeStripe } from '../support/fake-stripe.js';

/** The Stripe adapter (official SDK) against a local server speaking Stripe's API. */
describe('StripePaymentProvider against a local Stripe API', () => {
  let fake: FakeStripe;
  let stripe: StripePaymentProvider;

  beforeAll(async () => {
    fake = await FakeStripe.start();
    stripe = new StripePaymentProvider({ secretKey: fake.key, apiBaseUrl: fake.url, timeoutMs: 5_000 });
  });
  afterAll(() => fake.close());

  const charge = (paymentMethod: string, overrides: Partial<ChargeRequest> = {}): ChargeRequest => ({
    paymentId: uuidv7(),
    amountMinor: 1999,
    currency: 'USD',
    paymentMethod,
    description: 'gold, monthly',
    metadata: { payment_id: 'p', user_id: 'u' },
    ...overrides,
  });

  it('creates and confirms a PaymentIntent: form-encoded, amount in minor units, our payment id as Idempotency-Key', async () => {
    const request = charge('pm_card_visa');
    const result = await stripe.charge({ ...request, metadata: { payment_id: request.paymentId } });
    expect(result).toEqual({ outcome: 'succeeded', providerPaymentId: expect.stringMatching(/^pi_fake_/) });
    const sent = fake.requests[fake.requests.length - 1]!;
    expect(sent.method).toBe('POST');
    expect(sent.path).toBe('/v1/payment_intents');
    expect(sent.headers['content-type']).toContain('application/x-www-form-urlencoded');
    expect(sent.headers['idempotency-key']).toBe(request.paymentId);
    expect(sent.form).toMatchObject({
      amount: '1999',
      currency: 'usd',
      payment_method: 'pm_card_visa',
      confirm: 'true',
      'automatic_payment_methods[enabled]': 'true',
      'automatic_payment_methods[allow_redirects]': 'never',
      'metadata[payment_id]': request.paymentId,
    });
  });

  it('a retried charge with the same key gets the first PaymentIntent (Stripe dedupes): one charge', async () => {
    const request = charge('pm_card_visa');
    const before = fake.created;
    const first = await stripe.charge(request);
    const again = await stripe.charge(request);
    expect(again).toEqual(first);
    expect(fake.created - before).toBe(1);
  });

  it('maps declines to outcomes: card_declined, insufficient_funds (decline_code), a missing payment method → invalid_token', async () => {
    expect(await stripe.charge(charge('pm_card_chargeDeclined'))).toMatchObject({ outcome: 'declined', reason: 'card_declined', message: 'Your card was declined.', providerPaymentId: expect.stringMatching(/^pi_/) });
    expect(await stripe.charge(charge('pm_card_chargeDeclinedInsufficientFunds'))).toMatchObject({ outcome: 'declined', reason: 'insufficient_funds' });
    expect(await stripe.charge(charge('pm_missing'))).toMatchObject({ outcome: 'declined', reason: 'invalid_token' });
  });

  it('a processing PaymentIntent is pending (a webhook settles it)', async () => {
    expect(await stripe.charge(charge('pm_card_processing'))).toEqual({ outcome: 'pending', providerPaymentId: expect.stringMatching(/^pi_/) });
  });

  it('a 500 is retryable (ProviderUnavailableError); the retry with the same key then succeeds', async () => {
    const request = charge('pm_card_visa');
    fake.failNext(1);
    await expect(stripe.charge(request)).rejects.toBeInstanceOf(ProviderUnavailableError);
    await expect(stripe.charge(request)).resolves.toMatchObject({ outcome: 'succeeded' });
  });

  it('an unreachable API is retryable; a wrong key is not', async () => {
    const down = new StripePaymentProvider({ secretKey: fake.key, apiBaseUrl: 'http://127.0.0.1:9', timeoutMs: 2_000 });
    await expect(down.charge(charge('pm_card_visa'))).rejects.toBeInstanceOf(ProviderUnavailableError);
    const wrongKey = new StripePaymentProvider({ secretKey: 'sk_test_wrong', apiBaseUrl: fake.url });
    await expect(wrongKey.charge(charge('pm_card_visa'))).rejects.toBeInstanceOf(ProviderRejectedError);
  });

  it('refunds the PaymentIntent with the refund key; retries replay it', async () => {
    const paid = await stripe.charge(charge('pm_card_visa'));
    if (paid.outcome !== 'succeeded') throw new Error('charge failed');
    const key = uuidv7();
    const refund = await stripe.refund({ idempotencyKey: key, paymentId: 'p', providerPaymentId: paid.providerPaymentId, amountMinor: 500, reason: 'activation failed' });
    expect(refund.providerRefundId).toMatch(/^re_fake_/);
    const sent = fake.requests[fake.requests.length - 1]!;
    expect(sent).toMatchObject({ path: '/v1/refunds', headers: { 'idempotency-key': key }, form: { payment_intent: paid.providerPaymentId, amount: '500' } });
    expect(await stripe.refund({ idempotencyKey: key, paymentId: 'p', providerPaymentId: paid.providerPaymentId, amountMinor: 500, reason: 'again' })).toEqual(refund);
    fake.failNext(1);
    await expect(stripe.refund({ idempotencyKey: uuidv7(), paymentId: 'p', providerPaymentId: paid.providerPaymentId, amountMinor: 1, reason: '' })).rejects.toBeInstanceOf(ProviderUnavailableError);
  });
});
