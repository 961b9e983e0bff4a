import { PROTO_SERVICES } from '@storytelling/contracts';
import { bootstrapService, type ServiceHandle } from '@storytelling/platform';
import { loadNarrationConfig } from './config.js';
import { NarrationModule, type NarrationModuleOptions } from './narration.module.js';

export interface CreateNarrationAppOptions extends NarrationModuleOptions {
  /** Listen to SIGTERM/SIGINT (default true; in-process tests pass false). */
  shutdownHooks?: boolean;
}

/**
 * Boots narration from an environment: HTTP (/health, /ready, /metrics) and gRPC
 * (storytelling.narration.v1.NarrationService + grpc.health.v1), its translators and the outbox
 * relay. HTTP_PORT=0 and GRPC_PORT=0 pick free ports.
 */
export async function createNarrationApp(env: NodeJS.ProcessEnv = process.env, options: CreateNarrationAppOptions = {}): Promise<ServiceHandle> {
  const config = loadNarrationConfig(env);
  const { shutdownHooks, ...moduleOptions } = options;
  return bootstrapService({
    name: 'narration',
    module: NarrationModule.forRoot(config, moduleOptions),
    config,
    grpc: { packages: PROTO_SERVICES.narration.package, protoFiles: [PROTO_SERVICES.narration.file] },
    ...(shutdownHooks === undefined ? {} : { shutdownHooks }),
  });
}
