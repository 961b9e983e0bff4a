import { PROTO_SERVICES } from '@storytelling/contracts';
import { bootstrapService, createIdentityTokenVerifier, type ServiceHandle } from '@storytelling/platform';
import type { PaymentProvider, WebhookVerifier } from './application/index.js';
import { loadPaymentsConfig } from './config.js';
import { createWebhookVerifiers } from './infrastructure/providers/index.js';
import { PaymentsModule, type PaymentsModuleOptions } from './payments.module.js';

export interface CreatePaymentsAppOptions extends Omit<PaymentsModuleOptions, 'provider' | 'webhookVerifiers' | 'identity'> {
  /** Replaces the adapter PAYMENTS_PROVIDER selects (tests share one sandbox across restarts). */
  provider?: PaymentProvider;
  webhookVerifiers?: ReadonlyMap<string, WebhookVerifier>;
  /** Listen to SIGTERM/SIGINT (default true; in-process tests pass false). */
  shutdownHooks?: boolean;
}

/**
 * Boots payments from an environment: HTTP (/health, /ready, /metrics), gRPC
 * (storytelling.payments.v1.PaymentsService + grpc.health.v1), the payments.commands consumer and
 * the outbox relay. HTTP_PORT=0 and GRPC_PORT=0 pick free ports (tests run it in process).
 */
export async function createPaymentsApp(env: NodeJS.ProcessEnv = process.env, options: CreatePaymentsAppOptions = {}): Promise<ServiceHandle> {
  const config = loadPaymentsConfig(env);
  const { shutdownHooks, provider, webhookVerifiers, ...moduleOptions } = options;
  const identity = createIdentityTokenVerifier({
    identityUrl: config.IDENTITY_GRPC_URL,
    issuer: config.JWT_ISSUER,
    audience: config.JWT_AUDIENCE,
    deadlineMs: config.GRPC_DEADLINE_MS,
    verifiedTokenCache: { ttlMs: config.VERIFIED_TOKEN_CACHE_TTL_MS, maxEntries: config.VERIFIED_TOKEN_CACHE_SIZE },
  });
  try {
    return await bootstrapService({
      name: 'payments',
      module: PaymentsModule.forRoot(config, {
        ...moduleOptions,
        ...(provider ? { provider } : {}),
        webhookVerifiers: webhookVerifiers ?? createWebhookVerifiers(config),
        identity,
      }),
      config,
      grpc: { packages: PROTO_SERVICES.payments.package, protoFiles: [PROTO_SERVICES.payments.file] },
      ...(shutdownHooks === undefined ? {} : { shutdownHooks }),
    });
  } catch (err) {
    identity.close();
    throw err;
  }
}
