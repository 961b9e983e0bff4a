import type { Clock } from '@storytelling/kernel';
import { systemClock } from '@storytelling/kernel';
import { Inject, Injectable, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { AccessTokenVerifier, EventStore, MessagingModule, PersistenceModule, SagaStore, UnitOfWork, type IdentityTokenVerifier, CallerResolver, RetentionModule, retentionSettings } from '@storytelling/platform';
import { subscriptionMigrations } from '../migrations/index.js';
import {
  CLOCK,
  COMMAND_HANDLERS,
  PaidSubscriptionSaga,
  QUERY_HANDLERS,
  RenewalService,
  SUBSCRIPTION_SETTINGS,
  SUBSCRIPTION_UNIT_OF_WORK,
  UsageService,
  type SubscriptionSettings,
  type SubscriptionUnitOfWork,
} from './application/index.js';
import { dunningPolicyOf, type SubscriptionConfig } from './config.js';
import { STORY_TOPIC, StoryEventsTranslator } from './infrastructure/acl/story-events.translator.js';
import { IDENTITY_USER_TOPIC, UserEventsTranslator } from './infrastructure/acl/user-events.translator.js';
import { PAYMENTS_TOPIC, PaymentEventsHandler } from './infrastructure/messaging/payment-events.handler.js';
import { RepositoryBinder } from './infrastructure/messaging/repository-binder.js';
import { SUBSCRIPTION_COMMANDS_TOPIC, UsageCommandsHandler } from './infrastructure/messaging/usage-commands.handler.js';
import { SUBSCRIPTION_ENTITIES } from './infrastructure/persistence/entities.js';
import { subscriptionUnitOfWork } from './infrastructure/persistence/unit-of-work.js';
import { SubscriptionScheduler } from './infrastructure/scheduling/subscription-scheduler.js';
import { SubscriptionGrpcController } from './interface/subscription.grpc-controller.js';

const IDENTITY_TOKENS = Symbol('subscription.IdentityTokenVerifier');

/** Closes the gRPC channel to identity once the application has shut down. */
@Injectable()
class IdentityChannelCloser implements OnApplicationShutdown {
  constructor(@Inject(IDENTITY_TOKENS) private readonly identity: IdentityTokenVerifier) {}
  onApplicationShutdown(): void {
    this.identity.close();
  }
}

export interface SubscriptionModuleOptions {
  /** Verifies callers' access tokens against identity's JWKS (createSubscriptionApp builds it; closed on shutdown). */
  identity: IdentityTokenVerifier;
  migrateOnStart?: boolean;
  relay?: boolean;
  clock?: Clock;
}

/**
 * The subscription service: persistence + outbox + saga tables, the consumers (identity ACL,
 * payments replies, usage commands, StoryCreated counting), CQRS handlers, the scheduler and the
 * gRPC endpoint.
 */
@Module({})
export class SubscriptionModule {
  static forRoot(config: SubscriptionConfig, options: SubscriptionModuleOptions): DynamicModule {
    const clock = options.clock ?? systemClock;
    const settings: SubscriptionSettings = {
      chargeTimeoutMs: config.SUBSCRIPTION_CHARGE_TIMEOUT_MS,
      refundTimeoutMs: config.SUBSCRIPTION_REFUND_TIMEOUT_MS,
      reservationTtlSeconds: config.SUBSCRIPTION_RESERVATION_TTL_SECONDS,
      schedulerIntervalMs: config.SUBSCRIPTION_SCHEDULER_INTERVAL_MS,
      dunning: dunningPolicyOf(config),
    };
    return {
      module: SubscriptionModule,
      imports: [
        CqrsModule.forRoot(),
        PersistenceModule.forRoot({
          database: { url: config.DATABASE_URL, schema: config.DATABASE_SCHEMA },
          entities: SUBSCRIPTION_ENTITIES,
          migrations: subscriptionMigrations,
          applicationName: 'subscription',
          migrateOnStart: options.migrateOnStart ?? false,
        }),
        MessagingModule.forService({
          service: 'subscription',
          kafka: { brokers: [...config.KAFKA_BROKERS], clientId: 'subscription', topicPrefix: config.KAFKA_TOPIC_PREFIX },
          subscriptions: [
            { topic: IDENTITY_USER_TOPIC, handler: UserEventsTranslator },
            { topic: PAYMENTS_TOPIC, handler: PaymentEventsHandler },
            { topic: SUBSCRIPTION_COMMANDS_TOPIC, handler: UsageCommandsHandler },
            { topic: STORY_TOPIC, handler: StoryEventsTranslator },
          ],
          relay: options.relay ?? true,
        }),
        RetentionModule.forService({ service: 'subscription', settings: retentionSettings(config, 'subscription'), sagas: true }),
      ],
      controllers: [SubscriptionGrpcController],
      providers: [
        { provide: CLOCK, useValue: clock },
        { provide: SUBSCRIPTION_SETTINGS, useValue: settings },
        { provide: IDENTITY_TOKENS, useValue: options.identity },
        { provide: AccessTokenVerifier, useValue: options.identity.verifier },
        IdentityChannelCloser,
        { provide: SagaStore, useFactory: (events: EventStore) => new SagaStore({ service: 'subscription', events, clock }), inject: [EventStore] },
        {
          provide: SUBSCRIPTION_UNIT_OF_WORK,
          useFactory: (uow: UnitOfWork, events: EventStore, ds: DataSource, sagas: SagaStore) => subscriptionUnitOfWork(uow, events, ds, clock, sagas),
          inject: [UnitOfWork, EventStore, DataSource, SagaStore],
        },
        { provide: PaidSubscriptionSaga, useFactory: () => new PaidSubscriptionSaga(settings, clock) },
        { provide: UsageService, useFactory: () => new UsageService(settings, clock) },
        {
          provide: RenewalService,
          useFactory: (uow: SubscriptionUnitOfWork, saga: PaidSubscriptionSaga) => new RenewalService(uow, saga, clock),
          inject: [SUBSCRIPTION_UNIT_OF_WORK, PaidSubscriptionSaga],
        },
        RepositoryBinder,
        UserEventsTranslator,
        StoryEventsTranslator,
        PaymentEventsHandler,
        UsageCommandsHandler,
        SubscriptionScheduler,
        CallerResolver,
        ...COMMAND_HANDLERS,
        ...QUERY_HANDLERS,
      ],
    };
  }
}
