import { CLOCK, systemClock, type Clock } from '@storytelling/kernel';
import { Module, type DynamicModule } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { EventStore, ServiceModule, UnitOfWork } from '@storytelling/platform';
import { identityMigrations } from '../migrations/index.js';
import * as app from './application/index.js';
import type { IdentityConfig } from './config.js';
import { IDENTITY_ENTITIES, revokedAccessTokenRetention } from './infrastructure/persistence/entities.js';
import { identityUnitOfWork } from './infrastructure/persistence/unit-of-work.js';
import { Argon2PasswordHasher } from './infrastructure/security/argon2-password-hasher.js';
import { JwtAccessTokens, ownAccessTokenVerifier } from './infrastructure/security/jwt-access-tokens.js';
import { OpaqueRefreshTokens } from './infrastructure/security/opaque-refresh-tokens.js';
import { ConfiguredServiceCredentials, parseServiceCredentials } from './infrastructure/security/service-credentials.js';
import type { SigningKeys } from './infrastructure/security/signing-keys.js';
import { SUPER_ADMIN_SEED, SuperAdminBootstrapper } from './infrastructure/startup/super-admin-bootstrapper.js';
import { oidcProviders } from './infrastructure/oidc/configured-providers.js';
import type { OpenIdClientOptions } from './infrastructure/oidc/openid-client-provider.js';
import { IdentityGrpcController } from './interface/identity.grpc-controller.js';
import { JwksHttpController } from './interface/jwks.http-controller.js';

export interface IdentityModuleOptions {
  /** Signing keys, already loaded (createIdentityApp loads them before anything else starts). */
  keys: SigningKeys;
  /** Apply pending migrations at start (tests and local runs; deployments run migrate.js). */
  migrateOnStart?: boolean;
  /** Start the outbox relay in this process (default true). */
  relay?: boolean;
  clock?: Clock;
  oidc?: OpenIdClientOptions; // tests tamper with the provider's answers here
}

/**
 * The identity service: the platform's service defaults (ServiceModule: buses, persistence and
 * outbox, relay, retention, CLOCK, CallerResolver over identity's own keys) plus its handlers,
 * token and password adapters, the first-super-admin start-up step, gRPC and JWKS endpoints.
 * identity consumes no messages: it has no translators.
 */
@Module({})
export class IdentityModule {
  static forRoot(config: IdentityConfig, options: IdentityModuleOptions): DynamicModule {
    const clock = options.clock ?? systemClock;
    const jwt = { issuer: config.JWT_ISSUER, audience: config.JWT_AUDIENCE };
    const ttl = { accessTokenTtlSeconds: config.ACCESS_TOKEN_TTL_SECONDS, serviceTokenTtlSeconds: config.SERVICE_TOKEN_TTL_SECONDS };
    const tokens = new JwtAccessTokens(options.keys, { ...jwt, ...ttl }, clock);
    const verifiedTokenCache = { ttlMs: config.VERIFIED_TOKEN_CACHE_TTL_MS, maxEntries: config.VERIFIED_TOKEN_CACHE_SIZE };
    const { SUPERADMIN_EMAIL: email, SUPERADMIN_PASSWORD: password } = config;
    return {
      module: IdentityModule,
      imports: [
        ServiceModule.forService({
          name: 'identity',
          config,
          persistence: { entities: IDENTITY_ENTITIES, migrations: identityMigrations, migrateOnStart: options.migrateOnStart },
          messaging: { relay: options.relay ?? true }, retention: { rules: [revokedAccessTokenRetention] },
          callers: { verifier: ownAccessTokenVerifier(tokens, jwt, clock, verifiedTokenCache) },
          clock,
        }),
      ],
      controllers: [IdentityGrpcController, JwksHttpController],
      providers: [
        { provide: app.TOKEN_SETTINGS, useValue: { accessTokenTtlSeconds: config.ACCESS_TOKEN_TTL_SECONDS, refreshTokenTtlSeconds: config.REFRESH_TOKEN_TTL_SECONDS } },
        { provide: SUPER_ADMIN_SEED, useValue: email && password ? { email, password } : null },
        {
          provide: app.PASSWORD_HASHER,
          useValue: new Argon2PasswordHasher({ memoryCost: config.ARGON2_MEMORY_KIB, timeCost: config.ARGON2_TIME_COST, parallelism: config.ARGON2_PARALLELISM }),
        },
        { provide: app.REFRESH_TOKEN_SECRETS, useClass: OpaqueRefreshTokens },
        { provide: app.ACCESS_TOKEN_ISSUER, useValue: tokens },
        { provide: app.SERVICE_TOKEN_ISSUER, useValue: tokens },
        { provide: app.SERVICE_CREDENTIALS, useValue: new ConfiguredServiceCredentials(parseServiceCredentials(config.SERVICE_CREDENTIALS)) },
        { provide: app.IDENTITY_UNIT_OF_WORK, useFactory: identityUnitOfWork, inject: [UnitOfWork, EventStore, DataSource, CLOCK] },
        ...oidcProviders(config.oidcProviders, config.OIDC_ATTEMPT_TTL_SECONDS, options.oidc),
        app.Sessions,
        SuperAdminBootstrapper,
        ...app.COMMAND_HANDLERS,
        ...app.QUERY_HANDLERS,
      ],
    };
  }
}
