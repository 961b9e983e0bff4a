import { PROTO_SERVICES } from '@storytelling/contracts';
import { bootstrapService, createIdentityTokenVerifier, type ServiceHandle } from '@storytelling/platform';
import { loadSubscriptionConfig } from './config.js';
import { SubscriptionModule, type SubscriptionModuleOptions } from './subscription.module.js';

/** The `aud` of service tokens meant for subscription (docs/adr/0016-service-tokens.md). */
export const SUBSCRIPTION_SERVICE_AUDIENCE = 'subscription';

export interface CreateSubscriptionAppOptions extends Omit<SubscriptionModuleOptions, 'identity'> {
  /** Listen to SIGTERM/SIGINT (default true; in-process tests pass false). */
  shutdownHooks?: boolean;
}

/**
 * Boots subscription from an environment: HTTP (/health, /ready, /metrics) and gRPC
 * (storytelling.subscription.v1.SubscriptionService + grpc.health.v1), its consumers, the outbox
 * relay and the scheduler. HTTP_PORT=0 and GRPC_PORT=0 pick free ports (tests).
 */
export async function createSubscriptionApp(env: NodeJS.ProcessEnv = process.env, options: CreateSubscriptionAppOptions = {}): Promise<ServiceHandle> {
  const config = loadSubscriptionConfig(env);
  const { shutdownHooks, ...moduleOptions } = options;
  const identity = createIdentityTokenVerifier({
    identityUrl: config.IDENTITY_GRPC_URL,
    issuer: config.JWT_ISSUER,
    // users' access tokens, and service tokens issued for subscription (role service: CheckQuota/GetUsage for anyone)
    audience: [config.JWT_AUDIENCE, SUBSCRIPTION_SERVICE_AUDIENCE],
    deadlineMs: config.GRPC_DEADLINE_MS,
    verifiedTokenCache: { ttlMs: config.VERIFIED_TOKEN_CACHE_TTL_MS, maxEntries: config.VERIFIED_TOKEN_CACHE_SIZE },
  });
  try {
    return await bootstrapService({
      name: 'subscription',
      module: SubscriptionModule.forRoot(config, { ...moduleOptions, identity }),
      config,
      grpc: { packages: PROTO_SERVICES.subscription.package, protoFiles: [PROTO_SERVICES.subscription.file] },
      ...(shutdownHooks === undefined ? {} : { shutdownHooks }),
    });
  } catch (err) {
    identity.close();
    throw err;
  }
}
