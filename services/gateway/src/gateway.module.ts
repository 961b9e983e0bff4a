import { type BeforeApplicationShutdown, type DynamicModule, Module, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { createObjectStorage, HealthCoreModule, ReadinessRegistry, shutdownTelemetry, VerifiedTokenCache } from '@storytelling/platform';
import { IDENTITY_PORT, type IdentityPort } from './application/identity.port.js';
import { FILE_LINKS, MEDIA_STORAGE, type MediaStorage } from './application/media.port.js';
import type { GatewayConfig } from './config/gateway-config.js';
import { AccessTokenDenylist } from './infrastructure/auth/access-token-denylist.js';
import type { AuthenticatedUser } from './infrastructure/auth/authenticated-user.js';
import { JwksKeyStore } from './infrastructure/auth/jwks-key-store.js';
import { JwtStrategy } from './infrastructure/auth/jwt.strategy.js';
import type { PeerPort } from './infrastructure/grpc-peer.js';
import { SignedFileLinks } from './infrastructure/media/signed-file-links.js';
import { PEERS, type PeerDoubles, peerProviders } from './infrastructure/peers.js';
import { FILES_BASE_PATH } from './interface/http/api-prefix.js';
import { HTTP_CONTROLLERS, httpEdgeProviders } from './interface/http/http-edge.js';

export const GATEWAY_CONFIG = Symbol('GATEWAY_CONFIG');

/**
 * Test doubles by peer name (`identity`, `story`, …) that replace their gRPC adapters, and a
 * media store to use instead of the one OBJECT_STORAGE names.
 */
export type GatewayModuleOptions = PeerDoubles & { objectStorage?: MediaStorage };

@Module({})
export class GatewayModule implements OnModuleInit, BeforeApplicationShutdown, OnApplicationShutdown {
  constructor(
    private readonly moduleRef: ModuleRef,
    private readonly readiness: ReadinessRegistry,
  ) {}

  static forRoot(config: GatewayConfig, options: GatewayModuleOptions = {}): DynamicModule {
    return {
      module: GatewayModule,
      imports: [HealthCoreModule],
      controllers: HTTP_CONTROLLERS,
      providers: [
        { provide: GATEWAY_CONFIG, useValue: config },
        ...peerProviders(config, options),
        { provide: MEDIA_STORAGE, useFactory: (): MediaStorage => options.objectStorage ?? createObjectStorage(config.objectStorage) },
        {
          provide: FILE_LINKS,
          useFactory: () =>
            new SignedFileLinks({ secrets: config.fileLinks.secrets, ttlSeconds: config.fileLinks.ttlSeconds, publicBaseUrl: config.publicBaseUrl, basePath: FILES_BASE_PATH }),
        },
        {
          provide: JwksKeyStore,
          useFactory: (identity: IdentityPort) =>
            new JwksKeyStore(() => identity.getJwks(), {
              cacheTtlMs: config.jwksCacheTtlMs,
              minRefetchIntervalMs: config.jwksMinRefetchIntervalMs,
            }),
          inject: [IDENTITY_PORT],
        },
        {
          provide: JwtStrategy,
          useFactory: (keys: JwksKeyStore) => new JwtStrategy(keys, { issuer: config.jwtIssuer, audience: config.jwtAudience }),
          inject: [JwksKeyStore],
        },
        {
          provide: AccessTokenDenylist,
          useFactory: (identity: IdentityPort) =>
            new AccessTokenDenylist({ fetch: (after) => identity.listRevokedAccessTokens(after), pollIntervalMs: config.denylistPollIntervalMs }),
          inject: [IDENTITY_PORT],
        },
        {
          provide: VerifiedTokenCache,
          useFactory: () => new VerifiedTokenCache<AuthenticatedUser>({ ttlMs: config.verifiedTokenCacheTtlMs, maxEntries: config.verifiedTokenCacheSize }),
        },
        ...httpEdgeProviders(config),
      ],
    };
  }

  /** Every peer is reported by /ready; those the table marks required make it fail while down. */
  onModuleInit(): void {
    for (const peer of PEERS) {
      const port = this.port(peer.port);
      this.readiness.register({ name: peer.name, check: () => port.checkHealth(), required: peer.required });
    }
  }

  /** Not ready from the first moment of shutdown, so load balancers stop sending traffic. */
  beforeApplicationShutdown(): void {
    this.readiness.markShuttingDown();
  }

  /**
   * After the HTTP server has closed (in-flight requests answered): close the gRPC channels, then
   * export the spans still buffered (the last requests' traces would be lost otherwise).
   */
  async onApplicationShutdown(): Promise<void> {
    for (const peer of PEERS) this.port(peer.port).close();
    await shutdownTelemetry().catch(() => undefined);
  }

  private port(token: symbol): PeerPort {
    return this.moduleRef.get<PeerPort>(token);
  }
}
