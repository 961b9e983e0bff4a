import { ConfigError, callerConfigSchema, int, loadConfig, oneOf, serviceConfigSchema, str, url, type ConfigOf } from '@storytelling/platform';

/**
 * payments' environment: the platform's service variables, its callers' (where identity is, the
 * expected token claims, the verified-token cache), the provider adapter and its secrets.
 * Secrets may be given as `<NAME>_FILE`.
 */
export const paymentsConfigSchema = {
  ...serviceConfigSchema,
  DATABASE_SCHEMA: str({ pattern: /^[a-z_][a-z0-9_]{0,62}$/ }).default('payments'),
  ...callerConfigSchema,
  PAYMENTS_PROVIDER: oneOf(['sandbox', 'stripe'] as const).default('sandbox').describe('who charges: the offline sandbox or Stripe'),
  STRIPE_SECRET_KEY: str({ minLength: 1 }).secret().optional().describe('Stripe API key (required when PAYMENTS_PROVIDER=stripe)'),
  STRIPE_WEBHOOK_SECRET: str({ minLength: 1 }).secret().optional().describe('whsec_… of the Stripe webhook endpoint; without it Stripe webhooks are refused'),
  STRIPE_API_BASE_URL: url(['http:', 'https:']).optional().describe('another Stripe API host (a local fake in tests); default api.stripe.com'),
  SANDBOX_WEBHOOK_SECRET: str({ minLength: 16 }).secret().optional().describe('key of the sandbox webhooks; without it sandbox webhooks are refused'),
  PAYMENTS_COMMAND_ATTEMPTS: int({ min: 1, max: 20 }).default(5).describe('tries of a command whose provider call fails (outage) before it is dead-lettered'),
};

export type PaymentsConfig = ConfigOf<typeof paymentsConfigSchema>;

/** loadConfig plus the rules that span variables: stripe without a key fails at start. */
export function loadPaymentsConfig(env: NodeJS.ProcessEnv = process.env): PaymentsConfig {
  const config = loadConfig(paymentsConfigSchema, { env, service: 'payments' });
  if (config.PAYMENTS_PROVIDER === 'stripe' && !config.STRIPE_SECRET_KEY) {
    throw new ConfigError([{ variable: 'STRIPE_SECRET_KEY', problem: 'is required when PAYMENTS_PROVIDER=stripe' }], 'payments');
  }
  return config;
}
