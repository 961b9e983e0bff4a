import { CLOCK, systemClock, type Clock } from '@storytelling/kernel';
import { Global, Inject, Injectable, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { AccessTokenVerifier } from '../auth/access-token-verifier.js';
import { CallerResolver } from '../auth/caller-resolver.js';
import { createIdentityTokenVerifier } from '../auth/identity-jwks.js';
import type { CallerConfig, ServiceConfig } from '../config/common-schema.js';
import { MessagingModule, type MessagingModuleOptions } from '../messaging/messaging.module.js';
import { PersistenceModule, type PersistenceModuleOptions } from '../persistence/persistence.module.js';
import { retentionSettings } from '../retention/retention-config.js';
import { RetentionModule, type RetentionOptions } from '../retention/retention-module.js';
import { SagaModule, Sagas, type SagaModuleOptions } from '../saga/saga.module.js';

/** Something holding a channel or socket that must close when the service stops. */
export interface Closeable {
  close(): void | Promise<void>;
}

export interface ServiceModuleOptions {
  /** The service's name: consumer group, outbox source, metrics, application_name. */
  name: string;
  config: ServiceConfig & Partial<CallerConfig>;
  persistence: Pick<PersistenceModuleOptions, 'entities' | 'migrations'> & { migrateOnStart?: boolean | undefined };
  messaging?: Omit<MessagingModuleOptions, 'service' | 'kafka'>;
  retention?: Pick<RetentionOptions, 'rules'>;
  /** The service's sagas (SagaBinding classes): the engine routes their replies, polls their deadlines, sweeps them when finished. */
  sagas?: Omit<SagaModuleOptions, 'service'>;
  /**
   * Who calls: `{ audiences }` verifies bearer tokens against identity's JWKS (IDENTITY_GRPC_URL,
   * JWT_ISSUER, JWT_AUDIENCE plus these extra audiences, e.g. the service's own for service
   * tokens); `{ verifier }` brings a verifier of its own (identity, which holds the keys).
   */
  callers: { audiences?: readonly string[] } | { verifier: AccessTokenVerifier };
  clock?: Clock | undefined;
  /** Clients of other services that must close on shutdown (after the pools drained). */
  clients?: readonly Closeable[];
}

const CLIENTS = Symbol.for('storytelling.platform.Clients');

/** Closes the service's outgoing clients once the application has shut down. */
@Injectable()
class ClientCloser implements OnApplicationShutdown {
  constructor(@Inject(CLIENTS) private readonly clients: readonly Closeable[]) {}
  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled(this.clients.map(async (c) => c.close()));
  }
}

/**
 * Everything a backend service has in common, in one call (the counterpart of .NET Aspire's
 * `AddServiceDefaults`): command and query buses, persistence with the outbox, messaging (relay
 * and the translators' consumer), retention, sagas, the clock (CLOCK), caller authentication
 * (AccessTokenVerifier, CallerResolver) and the closing of clients. bootstrapService adds the
 * rest (config, logging, metrics, health). A service's own module keeps only its handlers,
 * translators, ports and adapters.
 */
@Global()
@Module({})
export class ServiceModule {
  static forService(options: ServiceModuleOptions): DynamicModule {
    const { name, config } = options;
    const clients: Closeable[] = [...(options.clients ?? [])];
    const verifier = 'verifier' in options.callers ? options.callers.verifier : identityVerifier(name, config, options.callers.audiences ?? [], clients);
    return {
      module: ServiceModule,
      global: true,
      imports: [
        CqrsModule.forRoot(),
        PersistenceModule.forRoot({
          database: { url: config.DATABASE_URL, schema: config.DATABASE_SCHEMA ?? name },
          entities: options.persistence.entities,
          ...(options.persistence.migrations ? { migrations: options.persistence.migrations } : {}),
          applicationName: name,
          migrateOnStart: options.persistence.migrateOnStart ?? false,
        }),
        MessagingModule.forService({
          service: name,
          kafka: { brokers: [...config.KAFKA_BROKERS], clientId: name, topicPrefix: config.KAFKA_TOPIC_PREFIX },
          ...options.messaging,
          // The saga engine's reply routes join the service's own translators.
          translators: [...(options.messaging?.translators ?? []), ...(options.sagas ? [Sagas] : [])],
        }),
        RetentionModule.forService({ service: name, settings: retentionSettings(config, name), sagas: Boolean(options.sagas), ...options.retention }),
        ...(options.sagas ? [SagaModule.forService({ service: name, ...options.sagas })] : []),
      ],
      providers: [
        { provide: CLOCK, useValue: options.clock ?? systemClock },
        { provide: AccessTokenVerifier, useValue: verifier },
        { provide: CLIENTS, useValue: clients },
        ClientCloser,
        CallerResolver,
      ],
      exports: [CqrsModule, CLOCK, AccessTokenVerifier, CallerResolver, ...(options.sagas ? [SagaModule] : [])],
    };
  }
}

function identityVerifier(name: string, config: Partial<CallerConfig> & { GRPC_DEADLINE_MS: number }, audiences: readonly string[], clients: Closeable[]): AccessTokenVerifier {
  if (!config.IDENTITY_GRPC_URL || !config.JWT_ISSUER || !config.JWT_AUDIENCE) {
    throw new Error(`${name}: callerConfigSchema (IDENTITY_GRPC_URL, JWT_ISSUER, JWT_AUDIENCE) is missing from the config schema`);
  }
  const identity = createIdentityTokenVerifier({
    identityUrl: config.IDENTITY_GRPC_URL,
    issuer: config.JWT_ISSUER,
    audience: [config.JWT_AUDIENCE, ...audiences],
    deadlineMs: config.GRPC_DEADLINE_MS,
    ...(config.VERIFIED_TOKEN_CACHE_TTL_MS === undefined
      ? {}
      : { verifiedTokenCache: { ttlMs: config.VERIFIED_TOKEN_CACHE_TTL_MS, maxEntries: config.VERIFIED_TOKEN_CACHE_SIZE ?? 10_000 } }),
  });
  clients.push(identity);
  return identity.verifier;
}
