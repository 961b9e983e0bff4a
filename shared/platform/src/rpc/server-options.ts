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
  /** Called with the grpc-js server once services are loaded: health, reflection, ... */
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
  if (setup.onServer) {
    const onServer = setup.onServer;
    options.onLoadPackageDefinition = (_pkg: unknown, server: unknown) => onServer(server as GrpcServer);
  }
  return { transport: Transport.GRPC, options };
}
