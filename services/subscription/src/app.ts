import { PROTO_SERVICES } from '@storytelling/contracts';
import { bootstrapService, type ServiceHandle } from '@storytelling/platform';
import { loadSubscriptionConfig } from './config.js';
import { SubscriptionModule, type SubscriptionModuleOptions } from './subscription.module.js';

export { SUBSCRIPTION_SERVICE_AUDIENCE } from './subscription.module.js';

export interface CreateSubscriptionAppOptions extends SubscriptionModuleOptions {
  /** Listen to SIGTERM/SIGINT (default true; in-process tests pass false). */
  shutdownHooks?: boolean;
}

/**
 * Boots subscription from an environment: HTTP (/health, /ready, /metrics) and gRPC
 * (storytelling.subscription.v1.SubscriptionService + grpc.health.v1), its translators, the
 * outbox relay, the saga engine and the scheduler. HTTP_PORT=0 and GRPC_PORT=0 pick free ports.
 */
export async function createSubscriptionApp(env: NodeJS.ProcessEnv = process.env, options: CreateSubscriptionAppOptions = {}): Promise<ServiceHandle> {
  const config = loadSubscriptionConfig(env);
  const { shutdownHooks, ...moduleOptions } = options;
  return bootstrapService({
    name: 'subscription',
    module: SubscriptionModule.forRoot(config, moduleOptions),
    config,
    grpc: { packages: PROTO_SERVICES.subscription.package, protoFiles: [PROTO_SERVICES.subscription.file] },
    ...(shutdownHooks === undefined ? {} : { shutdownHooks }),
  });
}
