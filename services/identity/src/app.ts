import { PROTO_SERVICES } from '@storytelling/contracts';
import { bootstrapService, type ServiceHandle } from '@storytelling/platform';
import { loadIdentityConfig } from './config.js';
import { IdentityModule, type IdentityModuleOptions } from './identity.module.js';

export interface CreateIdentityAppOptions extends IdentityModuleOptions {
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
  const { shutdownHooks, ...moduleOptions } = options;
  return bootstrapService({
    name: 'identity',
    module: IdentityModule.forRoot(config, moduleOptions),
    config,
    grpc: { packages: PROTO_SERVICES.identity.package, protoFiles: [PROTO_SERVICES.identity.file] },
    ...(shutdownHooks === undefined ? {} : { shutdownHooks }),
  });
}
