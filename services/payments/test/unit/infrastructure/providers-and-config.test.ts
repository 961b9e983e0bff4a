import { ConfigError } from '@storytelling/platform';
import Stripe from 'stripe';
import { createPaymentsApp } from '../../../src/app.js';
import { loadPaymentsConfig } from '../../../src/config.js';
import {
  SandboxPaymentProvider,
  SandboxWebhookVerifier,
  StripeWebhookVerifier,
  createWebhookVerifiers,
  signatureHeader,
  stripeClientConfig,
  translateStripeShapedEvent,
} from '../../../src/infrastructure/providers/index.js';
import { ProviderRejectedError } from '../../../src/application/index.js';

const baseEnv = {
  HTTP_PORT: '7103',
  GRPC_PORT: '7203',
  DATABASE_URL: 'postgres://payments:x@127.0.0.1:5432/storytelling',
  KAFKA_BROKERS: '127.0.0.1:9092',
};

describe('config', () => {
  it('defaults to the sandbox; stripe without a key fails fast, naming the variable', () => {
    expect(loadPaymentsConfig(baseEnv).PAYMENTS_PROVIDER).toBe('sandbox');
    expect(() => loadPaymentsConfig({ ...baseEnv, PAYMENTS_PROVIDER: 'stripe' })).toThrow(ConfigError);
    expect(() => loadPaymentsConfig({ ...baseEnv, PAYMENTS_PROVIDER: 'stripe' })).toThrow(/STRIPE_SECRET_KEY/);
    expect(() => loadPaymentsConfig({ ...baseEnv, PAYMENTS_PROVIDER: 'paypal' })).toThrow(/PAYMENTS_PROVIDER/);
    expect(loadPaymentsConfig({ ...baseEnv, PAYMENTS_PROVIDER: 'stripe', STRIPE_SECRET_KEY: 'sk_test_1' }).PAYMENTS_PROVIDER).toBe('stripe');
  });

  it('the service refuses to start with stripe and no key, before touching the database', async () => {
    await expect(createPaymentsApp({ ...baseEnv, PAYMENTS_PROVIDER: 'stripe' }, { shutdownHooks: false })).rejects.toThrow(/STRIPE_SECRET_KEY/);
  });

  it('accepts webhooks only from providers whose secret is configured', () => {
    expect([...createWebhookVerifiers(loadPaymentsConfig(baseEnv)).keys()]).toEqual([]);
    const both = loadPaymentsConfig({ ...baseEnv, STRIPE_WEBHOOK_SECRET: 'whsec_1', SANDBOX_WEBHOOK_SECRET: 'sandbox-secret-0123' });
    expect([...createWebhookVerifiers(both).keys()].sort()).toEqual(['sandbox', 'stripe']);
  });

  it('points the SDK at STRIPE_API_BASE_URL as host/port/protocol', () => {
    expect(stripeClientConfig({ secretKey: 'k', apiBaseUrl: 'http://127.0.0.1:12111' })).toMatchObject({ host: '127.0.0.1', port: 12111, protocol: 'http' });
    expect(stripeClientConfig({ secretKey: 'k' })).not.toHaveProperty('host');
  });
});

describe('sandbox provider', () => {
  const request = (paymentId: string, paymentMethod: string) => ({ paymentId, amountMinor: 500, currency: 'USD', paymentMethod, description: '', metadata: {} });

  it('answers by token with deterministic ids and dedupes by idempotency key', async () => {
    const sandbox = new SandboxPaymentProvider();
    const first = await sandbox.charge(request('k1', 'tok_visa'));
    expect(first).toEqual({ outcome: 'succeeded', providerPaymentId: expect.stringMatching(/^sbx_pi_/) });
    expect(await new SandboxPaymentProvider().charge(request('k1', 'tok_visa'))).toEqual(first);
    expect(await sandbox.charge(request('k1', 'tok_visa'))).toEqual(first);
    expect(sandbox.chargeCount).toBe(1);
    await expect(sandbox.charge(request('k1', 'tok_chargeDeclined'))).rejects.toBeInstanceOf(ProviderRejectedError);
    expect(await sandbox.charge(request('k2', 'tok_chargeDeclined'))).toMatchObject({ outcome: 'declined', reason: 'card_declined' });
    expect(await sandbox.charge(request('k3', 'tok_insufficientFunds'))).toMatchObject({ outcome: 'declined', reason: 'insufficient_funds' });
    expect(await sandbox.charge(request('k4', 'tok_whatever'))).toMatchObject({ outcome: 'declined', reason: 'invalid_token' });
  });

  it('refuses refunds beyond the charge', async () => {
    const sandbox = new SandboxPaymentProvider();
    const paid = await sandbox.charge(request('k1', 'tok_visa'));
    if (paid.outcome !== 'succeeded') throw new Error('no charge');
    await sandbox.refund({ idempotencyKey: 'r1', paymentId: 'k1', providerPaymentId: paid.providerPaymentId, amountMinor: 400, reason: '' });
    await expect(sandbox.refund({ idempotencyKey: 'r2', paymentId: 'k1', providerPaymentId: paid.providerPaymentId, amountMinor: 101, reason: '' })).rejects.toBeInstanceOf(ProviderRejectedError);
  });
});

describe('webhook verifiers', () => {
  const payload = JSON.stringify({ id: 'evt_1', type: 'payment_intent.succeeded', data: { object: { id: 'pi_1', metadata: { payment_id: 'p1' } } } });
  const at = new Date('2026-11-20T10:00:00Z');
  const t = Math.floor(at.getTime() / 1000);

  it('the sandbox scheme is Stripe\'s: the SDK accepts a sandbox signature made with the same secret', () => {
    const header = signatureHeader(payload, 'sandbox-secret-0123', t);
    expect(() => Stripe.webhooks.constructEvent(payload, header, 'sandbox-secret-0123', 300, undefined, at.getTime())).not.toThrow();
    const verifier = new SandboxWebhookVerifier('sandbox-secret-0123');
    expect(verifier.verify({ payload: Buffer.from(payload), headers: { 'sandbox-signature': header }, receivedAt: at })).toMatchObject({ kind: 'payment_succeeded', paymentId: 'p1', providerPaymentId: 'pi_1' });
    expect(() => verifier.verify({ payload: Buffer.from(payload), headers: { 'sandbox-signature': header }, receivedAt: new Date(at.getTime() + 301_000) })).toThrow(
      expect.objectContaining({ code: 'WEBHOOK_SIGNATURE_INVALID' }),
    );
    expect(() => verifier.verify({ payload: Buffer.from(payload), headers: { 'sandbox-signature': 't=abc,v1=' }, receivedAt: at })).toThrow(expect.objectContaining({ code: 'WEBHOOK_SIGNATURE_INVALID' }));
  });

  it('Stripe: the SDK verifies at the delivery time with a 300 s tolerance', () => {
    const verifier = new StripeWebhookVerifier('whsec_x');
    const header = Stripe.webhooks.generateTestHeaderString({ payload, secret: 'whsec_x', timestamp: t });
    expect(verifier.verify({ payload: Buffer.from(payload), headers: { 'stripe-signature': header }, receivedAt: new Date(at.getTime() + 299_000) }).kind).toBe('payment_succeeded');
    expect(() => verifier.verify({ payload: Buffer.from(payload), headers: { 'stripe-signature': header }, receivedAt: new Date(at.getTime() + 302_000) })).toThrow(
      expect.objectContaining({ code: 'WEBHOOK_SIGNATURE_INVALID' }),
    );
  });

  it('a signed body is bounded to 32 levels before it is parsed (JSON_TOO_DEEP), after its signature; a signed non-JSON body is WEBHOOK_PAYLOAD_INVALID', () => {
    const nested = (levels: number) => payload.replace('"p1"', `"p1","extra":${'['.repeat(levels - 4)}${']'.repeat(levels - 4)}`);
    const stripe = new StripeWebhookVerifier('whsec_x');
    const sandbox = new SandboxWebhookVerifier('sandbox-secret-0123');
    const viaStripe = (body: string, secret = 'whsec_x') =>
      stripe.verify({ payload: Buffer.from(body), headers: { 'stripe-signature': Stripe.webhooks.generateTestHeaderString({ payload: body, secret, timestamp: t }) }, receivedAt: at });
    const viaSandbox = (body: string) => sandbox.verify({ payload: Buffer.from(body), headers: { 'sandbox-signature': signatureHeader(body, 'sandbox-secret-0123', t) }, receivedAt: at });
    for (const verify of [viaStripe, viaSandbox]) {
      expect(verify(nested(32)).kind).toBe('payment_succeeded');
      expect(() => verify(nested(33))).toThrow(expect.objectContaining({ code: 'JSON_TOO_DEEP' }));
      expect(() => verify(nested(100_000))).toThrow(expect.objectContaining({ code: 'JSON_TOO_DEEP' }));
      expect(() => verify('{not json')).toThrow(expect.objectContaining({ code: 'WEBHOOK_PAYLOAD_INVALID' }));
    }
    expect(() => viaStripe(nested(100_000), 'whsec_someone_else')).toThrow(expect.objectContaining({ code: 'WEBHOOK_SIGNATURE_INVALID' }));
  });

  it('translates Stripe-shaped events (decline codes, cumulative refunds) and rejects malformed ones', () => {
    expect(
      translateStripeShapedEvent({ id: 'e', type: 'payment_intent.payment_failed', data: { object: { id: 'pi', last_payment_error: { code: 'card_declined', decline_code: 'insufficient_funds' } } } }),
    ).toMatchObject({ kind: 'payment_failed', reason: 'insufficient_funds', paymentId: null });
    expect(translateStripeShapedEvent({ id: 'e', type: 'charge.refunded', data: { object: { id: 'ch', payment_intent: 'pi', amount_refunded: 250 } } })).toMatchObject({
      kind: 'refunded',
      totalRefundedMinor: 250,
      providerPaymentId: 'pi',
    });
    expect(() => translateStripeShapedEvent({ id: 'e', type: 'charge.refunded', data: { object: { amount_refunded: 2.5, payment_intent: 'pi' } } })).toThrow(
      expect.objectContaining({ code: 'WEBHOOK_PAYLOAD_INVALID' }),
    );
    expect(() => translateStripeShapedEvent([])).toThrow(expect.objectContaining({ code: 'WEBHOOK_PAYLOAD_INVALID' }));
  });
});
