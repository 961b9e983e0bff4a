import type { Clock } from '@storytelling/kernel';
import { systemClock } from '@storytelling/kernel';
import { Module, type DynamicModule } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { EventStore, MessagingModule, PersistenceModule, UnitOfWork, RetentionModule, retentionSettings } from '@storytelling/platform';
import { identityMigrations } from '../migrations/index.js';
import {
  ACCESS_TOKEN_ISSUER,
  ACCESS_TOKEN_VERIFIER,
  SERVICE_CREDENTIALS,
  SERVICE_TOKEN_ISSUER,
  CLOCK,
  COMMAND_HANDLERS,
  IDENTITY_UNIT_OF_WORK,
  PASSWORD_HASHER,
  QUERY_HANDLERS,
  REFRESH_TOKEN_SECRETS,
  Sessions,
  TOKEN_SETTINGS,
  type TokenSettings,
} from './application/index.js';
import type { IdentityConfig } from './config.js';
import { IDENTITY_ENTITIES } from './infrastructure/persistence/entities.js';
import { identityUnitOfWork } from './infrastructure/persistence/unit-of-work.js';
import { Argon2PasswordHasher } from './infrastructure/security/argon2-password-hasher.js';
import { JwtAccessTokens } from './infrastructure/security/jwt-access-tokens.js';
import { ConfiguredServiceCredentials, parseServiceCredentials } from './infrastructure/security/service-credentials.js';
import { OpaqueRefreshTokens } from './infrastructure/security/opaque-refresh-tokens.js';
import type { SigningKeys } from './infrastructure/security/signing-keys.js';
import { SUPER_ADMIN_SEED, SuperAdminBootstrapper, type SuperAdminSeed } from './infrastructure/super-admin-bootstrapper.js';
import { CallerResolver } from './interface/caller.js';
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
}

const JWT_ACCESS_TOKENS = Symbol('identity.JwtAccessTokens');

/** The identity service: persistence + outbox, CQRS handlers, token adapters, gRPC and JWKS endpoints. */
@Module({})
export class IdentityModule {
  static forRoot(config: IdentityConfig, options: IdentityModuleOptions): DynamicModule {
    const clock = options.clock ?? systemClock;
    const tokenSettings: TokenSettings = {
      accessTokenTtlSeconds: config.ACCESS_TOKEN_TTL_SECONDS,
      refreshTokenTtlSeconds: config.REFRESH_TOKEN_TTL_SECONDS,
    };
    const seed: SuperAdminSeed | null =
      config.SUPERADMIN_EMAIL && config.SUPERADMIN_PASSWORD ? { email: config.SUPERADMIN_EMAIL, password: config.SUPERADMIN_PASSWORD } : null;
    return {
      module: IdentityModule,
      imports: [
        CqrsModule.forRoot(),
        PersistenceModule.forRoot({
          database: { url: config.DATABASE_URL, schema: config.DATABASE_SCHEMA },
          entities: IDENTITY_ENTITIES,
          migrations: identityMigrations,
          applicationName: 'identity',
          migrateOnStart: options.migrateOnStart ?? false,
        }),
        MessagingModule.forService({
          service: 'identity',
          kafka: { brokers: [...config.KAFKA_BROKERS], clientId: 'identity', topicPrefix: config.KAFKA_TOPIC_PREFIX },
          relay: options.relay ?? true,
        }),
        RetentionModule.forService({ service: 'identity', settings: retentionSettings(config, 'identity') }),
      ],
      controllers: [IdentityGrpcController, JwksHttpController],
      providers: [
        { provide: CLOCK, useValue: clock },
        { provide: TOKEN_SETTINGS, useValue: tokenSettings },
        { provide: SUPER_ADMIN_SEED, useValue: seed },
        {
          provide: PASSWORD_HASHER,
          useValue: new Argon2PasswordHasher({
            memoryCost: config.ARGON2_MEMORY_KIB,
            timeCost: config.ARGON2_TIME_COST,
            parallelism: config.ARGON2_PARALLELISM,
          }),
        },
        { provide: REFRESH_TOKEN_SECRETS, useClass: OpaqueRefreshTokens },
        {
          provide: JWT_ACCESS_TOKENS,
          useValue: new JwtAccessTokens(
            options.keys,
            {
              issuer: config.JWT_ISSUER,
              audience: config.JWT_AUDIENCE,
              accessTokenTtlSeconds: config.ACCESS_TOKEN_TTL_SECONDS,
              serviceTokenTtlSeconds: config.SERVICE_TOKEN_TTL_SECONDS,
            },
            clock,
          ),
        },
        { provide: ACCESS_TOKEN_ISSUER, useExisting: JWT_ACCESS_TOKENS },
        { provide: ACCESS_TOKEN_VERIFIER, useExisting: JWT_ACCESS_TOKENS },
        { provide: SERVICE_TOKEN_ISSUER, useExisting: JWT_ACCESS_TOKENS },
        { provide: SERVICE_CREDENTIALS, useValue: new ConfiguredServiceCredentials(parseServiceCredentials(config.SERVICE_CREDENTIALS)) },
        { provide: IDENTITY_UNIT_OF_WORK, useFactory: identityUnitOfWork, inject: [UnitOfWork, EventStore, DataSource, CLOCK] },
        Sessions,
        CallerResolver,
        SuperAdminBootstrapper,
        ...COMMAND_HANDLERS,
        ...QUERY_HANDLERS,
      ],
    };
  }
}
