import type { PaymentProvider, WebhookVerifier } from '../../application/ports/index.js';
import type { DataSource } from 'typeorm';
import type { PaymentsConfig } from '../../config.js';
import { SqlSandboxLedger } from './sandbox-ledger.js';
import { SandboxPaymentProvider } from './sandbox-provider.js';
import { SandboxWebhookVerifier } from './signed-webhook.js';
import { StripePaymentProvider, StripeWebhookVerifier } from './stripe-provider.js';

export * from './sandbox-ledger.js';
export * from './sandbox-provider.js';
export * from './signed-webhook.js';
export * from './stripe-provider.js';
export * from './stripe-shaped-event.js';

/** The adapter PAYMENTS_PROVIDER selects; the sandbox keeps its ledger in payments' schema. */
export function createPaymentProvider(config: PaymentsConfig, dataSource: DataSource): PaymentProvider {
  if (config.PAYMENTS_PROVIDER === 'stripe') {
    return new StripePaymentProvider({ secretKey: config.STRIPE_SECRET_KEY!, apiBaseUrl: config.STRIPE_API_BASE_URL });
  }
  return new SandboxPaymentProvider(new SqlSandboxLedger(dataSource));
}

/** One verifier per provider whose webhook secret is configured; other providers' webhooks are NOT_FOUND. */
export function createWebhookVerifiers(config: PaymentsConfig): Map<string, WebhookVerifier> {
  const verifiers = new Map<string, WebhookVerifier>();
  if (config.STRIPE_WEBHOOK_SECRET) verifiers.set('stripe', new StripeWebhookVerifier(config.STRIPE_WEBHOOK_SECRET));
  if (config.SANDBOX_WEBHOOK_SECRET) verifiers.set('sandbox', new SandboxWebhookVerifier(config.SANDBOX_WEBHOOK_SECRET));
  return verifiers;
}
