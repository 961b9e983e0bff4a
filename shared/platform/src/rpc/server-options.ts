import { isAbsolute } from 'node:path';
import { Transport, type GrpcOptions } from '@nestjs/microservices';
import { protoFile, protoRoot } from '@storytelling/contracts';
import type { Server as GrpcServer } from '@grpc/grpc-js';

/**
 * @grpc/proto-loader options shared by servers and clients; the generated contracts assume them
 * (camelCase keys, 64-bit integers as strings, enums as names, defaults present, oneof names).
 */
export const GRPC_LOADER_OPTIONS = {
  keepCase: false,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
} as const;

export interface GrpcServerSetup {
  /** Proto package(s) served, e.g. 'storytelling.identity.v1'. */
  packages: string | readonly string[];
  /** Proto files, relative to the proto root (`protoRoot()`) or absolute. */
  protoPaths: readonly string[];
  /** `host:port` to bind, e.g. '0.0.0.0:7201'. */
  url: string;
  /** Extra import roots (the proto root is always included). */
  includeDirs?: readonly string[];
  /**
   * grpc.health.v1 for this server (a GrpcHealth from the health area): added to the server, and
   * told the fully-qualified names of the served services.
   */
  health?: { addToServer(server: GrpcServer): void; addServices(names: Iterable<string>): void };
  /**
   * Called with the grpc-js server once services are loaded. The seam for server reflection
   * (@grpc/reflection is not a platform dependency; a service that wants it adds it here).
   */
  onServer?: (server: GrpcServer) => void;
  /** Max inbound message size in bytes (default 4 MiB, grpc-js' default). */
  maxReceiveMessageLength?: number;
}

/** Resolves proto paths against the proto root. */
export function resolveProtoPaths(paths: readonly string[]): string[] {
  return paths.map((p) => (isAbsolute(p) ? p : protoFile(p)));
}

/**
 * Options for `app.connectMicroservice(...)` with Transport.GRPC: packages and files resolved
 * from the proto root, the platform loader options, and a hook to add the gRPC health service
 * (see GrpcHealth). `gracefulShutdown` is on, but bootstrapService drains with its own timeout
 * before Nest closes the server.
 */
export function grpcServerOptions(setup: GrpcServerSetup): GrpcOptions {
  const packages = typeof setup.packages === 'string' ? [setup.packages] : [...setup.packages];
  const options: GrpcOptions['options'] = {
    url: setup.url,
    package: packages,
    protoPath: resolveProtoPaths(setup.protoPaths),
    loader: { ...GRPC_LOADER_OPTIONS, includeDirs: [protoRoot(), ...(setup.includeDirs ?? [])] },
    gracefulShutdown: true,
  };
  if (setup.maxReceiveMessageLength !== undefined) options.maxReceiveMessageLength = setup.maxReceiveMessageLength;
  const { health, onServer } = setup;
  if (health || onServer) {
    options.onLoadPackageDefinition = (definition: unknown, server: unknown) => {
      if (health) {
        health.addServices(servedServiceNames(definition, packages));
        health.addToServer(server as GrpcServer);
      }
      onServer?.(server as GrpcServer);
    };
  }
  return { transport: Transport.GRPC, options };
}

/**
 * Fully-qualified names of the services of `packages` in a proto-loader package definition:
 * services are the entries without a `format` (messages and enums have one).
 */
export function servedServiceNames(definition: unknown, packages: readonly string[]): string[] {
  if (!definition || typeof definition !== 'object') return [];
  return Object.entries(definition as Record<string, unknown>)
    .filter(([fqn, value]) => {
      const dot = fqn.lastIndexOf('.');
      return dot > 0 && packages.includes(fqn.slice(0, dot)) && typeof value === 'object' && value !== null && !('format' in value);
    })
    .map(([fqn]) => fqn);
}
