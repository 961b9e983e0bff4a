import { PROTO_SERVICES } from '@storytelling/contracts';
import { bootstrapService, getLogger, type ServiceHandle } from '@storytelling/platform';
import { loadIdentityConfig } from './config.js';
import { IdentityModule, type IdentityModuleOptions } from './identity.module.js';
import { loadSigningKeys, signingKeySource } from './infrastructure/security/signing-keys.js';

export interface CreateIdentityAppOptions extends Omit<IdentityModuleOptions, 'keys'> {
  /** Listen to SIGTERM/SIGINT (default true; in-process tests pass false). */
  shutdownHooks?: boolean;
}

/**
 * Boots identity from an environment: HTTP (/health, /ready, /metrics, /.well-known/jwks.json)
 * and gRPC (storytelling.identity.v1.IdentityService + grpc.health.v1). HTTP_PORT=0 and
 * GRPC_PORT=0 pick free ports, so tests run it in-process next to a running fleet.
 */
export async function createIdentityApp(env: NodeJS.ProcessEnv = process.env, options: CreateIdentityAppOptions = {}): Promise<ServiceHandle> {
  const config = loadIdentityConfig(env);
  // Keys before anything else: production without a key must not get as far as opening pools.
  const log = getLogger('keys');
  const keys = await loadSigningKeys(signingKeySource(config, (message) => log.warn(message)));
  log.info({ kid: keys.current.kid, previous: keys.previous.map((k) => k.kid), ephemeral: keys.ephemeral }, 'signing keys loaded');
  const { shutdownHooks, ...moduleOptions } = options;
  return bootstrapService({
    name: 'identity',
    module: IdentityModule.forRoot(config, { ...moduleOptions, keys }),
    config,
    grpc: { packages: PROTO_SERVICES.identity.package, protoFiles: [PROTO_SERVICES.identity.file] },
    ...(shutdownHooks === undefined ? {} : { shutdownHooks }),
  });
}
