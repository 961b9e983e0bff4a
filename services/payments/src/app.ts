import { PROTO_SERVICES } from '@storytelling/contracts';
import { bootstrapService, type ServiceHandle } from '@storytelling/platform';
import type { WebhookVerifier } from './application/index.js';
import { loadPaymentsConfig } from './config.js';
import { createWebhookVerifiers } from './infrastructure/providers/index.js';
import { PaymentsModule, type PaymentsModuleOptions } from './payments.module.js';

export interface CreatePaymentsAppOptions extends Omit<PaymentsModuleOptions, 'webhookVerifiers'> {
  webhookVerifiers?: ReadonlyMap<string, WebhookVerifier>;
  /** Listen to SIGTERM/SIGINT (default true; in-process tests pass false). */
  shutdownHooks?: boolean;
}

/**
 * Boots payments from an environment: HTTP (/health, /ready, /metrics), gRPC
 * (storytelling.payments.v1.PaymentsService + grpc.health.v1), the payments.commands translator's
 * consumer and the outbox relay. HTTP_PORT=0 and GRPC_PORT=0 pick free ports (tests run it in
 * process). `provider` replaces the adapter PAYMENTS_PROVIDER selects (tests share one sandbox
 * across restarts).
 */
export async function createPaymentsApp(env: NodeJS.ProcessEnv = process.env, options: CreatePaymentsAppOptions = {}): Promise<ServiceHandle> {
  const config = loadPaymentsConfig(env);
  const { shutdownHooks, webhookVerifiers, ...moduleOptions } = options;
  return bootstrapService({
    name: 'payments',
    module: PaymentsModule.forRoot(config, { ...moduleOptions, webhookVerifiers: webhookVerifiers ?? createWebhookVerifiers(config) }),
    config,
    grpc: { packages: PROTO_SERVICES.payments.package, protoFiles: [PROTO_SERVICES.payments.file] },
    ...(shutdownHooks === undefined ? {} : { shutdownHooks }),
  });
}
