import { isAbsolute } from 'node:path';
import protoLoader from '@grpc/proto-loader';
import type { ServiceDefinition } from '@grpc/grpc-js';
import { protoFile, protoRoot, type ProtoServiceRef } from '@storytelling/contracts';
import { GRPC_LOADER_OPTIONS } from './server-options.js';

/**
 * The grpc-js definition of one published service, loaded with the platform's options (the
 * same field mapping as the fleet's clients and servers). For plain grpc-js servers, such as
 * the fake peers tests start.
 */
export function loadGrpcServiceDefinition(ref: ProtoServiceRef): ServiceDefinition {
  const file = isAbsolute(ref.file) ? ref.file : protoFile(ref.file);
  const definition = protoLoader.loadSync(file, { ...GRPC_LOADER_OPTIONS, includeDirs: [protoRoot()] });
  const service = definition[`${ref.package}.${ref.service}`];
  if (!service || typeof service !== 'object' || 'format' in service) throw new Error(`service ${ref.package}.${ref.service} not found in ${file}`);
  return service as unknown as ServiceDefinition;
}
