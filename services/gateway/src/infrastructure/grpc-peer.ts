import type { ProtoServiceRef } from '@storytelling/contracts';
import { createGrpcClient, createGrpcHealthProbe, type GrpcClient, type GrpcHealthProbe } from '@storytelling/platform';
import type { GatewayConfig } from '../config/gateway-config.js';

/** What every port the gateway has over a peer service offers besides its own calls. */
export interface PeerPort {
  checkHealth(): Promise<void>;
  close(): void;
}

/** One service the gateway calls over gRPC: a row of the peer table (peers.ts). */
export interface Peer<Name extends string = string, Port extends PeerPort = PeerPort> {
  /** Its name in /ready and the option that replaces it with a test double. */
  readonly name: Name;
  /** The injection token of its port. */
  readonly port: symbol;
  /** Where its gRPC server is (`<PEER>_GRPC_URL`). */
  readonly url: (config: GatewayConfig) => string;
  /** Its service in the published language (PROTO_SERVICES). */
  readonly proto: ProtoServiceRef;
  /** Builds its adapter from the client, the health probe and the config (a method: each row types its own client). */
  adapter(client: GrpcClient<unknown>, health: GrpcHealthProbe, config: GatewayConfig): Port;
  /** Whether /ready fails while it is down (otherwise it is only reported). */
  readonly required: boolean;
}

/**
 * A peer's adapter over one gRPC channel for the gateway's lifetime (HTTP/2, multiplexed), with
 * deadlines and context metadata (bearer token, correlation id, traceparent) from the platform
 * client, and a grpc.health.v1 probe for /ready that never waits longer than 2 s.
 */
export function connectPeer<Port extends PeerPort>(peer: Peer<string, Port>, config: GatewayConfig): Port {
  const url = peer.url(config);
  return peer.adapter(
    createGrpcClient(peer.proto, { url, deadlineMs: config.grpcDeadlineMs }),
    createGrpcHealthProbe(url, Math.min(config.grpcDeadlineMs, 2000)),
    config,
  );
}
