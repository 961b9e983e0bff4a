import { CLOCK } from '@storytelling/kernel';
import { Module, type DynamicModule } from '@nestjs/common';
import { EventStore, ServiceModule, UnitOfWork, type ServiceModuleOptions } from '@storytelling/platform';
import { DataSource } from 'typeorm';
import { subscriptionMigrations } from '../migrations/index.js';
import { COMMAND_HANDLERS, PaidSubscriptionSagaBinding, QUERY_HANDLERS, SUBSCRIPTION_SETTINGS, SUBSCRIPTION_UNIT_OF_WORK, UsageService, type SubscriptionSettings } from './application/index.js';
import { dunningPolicyOf, type SubscriptionConfig } from './config.js';
import { IdentityEventsTranslator } from './infrastructure/messaging/identity-events.translator.js';
import { StoryEventsTranslator } from './infrastructure/messaging/story-events.translator.js';
import { UsageCommandsTranslator } from './infrastructure/messaging/usage-commands.translator.js';
import { SUBSCRIPTION_ENTITIES } from './infrastructure/persistence/entities.js';
import { subscriptionUnitOfWork } from './infrastructure/persistence/unit-of-work.js';
import { SubscriptionSchedulerWorker } from './infrastructure/workers/subscription-scheduler.worker.js';
import { SubscriptionGrpcController } from './interface/subscription.grpc-controller.js';

/** The `aud` of service tokens meant for subscription (docs/adr/0016-service-tokens.md). */
export const SUBSCRIPTION_SERVICE_AUDIENCE = 'subscription';

export type SubscriptionModuleOptions = Pick<ServiceModuleOptions, 'clock'> & { migrateOnStart?: boolean; relay?: boolean };

/**
 * The subscription service: the identity, story and usage-command translators, the
 * paid-subscription saga, the scheduler worker, CQRS handlers and the gRPC endpoint.
 */
@Module({})
export class SubscriptionModule {
  static forRoot(config: SubscriptionConfig, options: SubscriptionModuleOptions = {}): DynamicModule {
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
        ServiceModule.forService({
          name: 'subscription',
          config,
          persistence: { entities: SUBSCRIPTION_ENTITIES, migrations: subscriptionMigrations, migrateOnStart: options.migrateOnStart },
          messaging: { translators: [IdentityEventsTranslator, StoryEventsTranslator, UsageCommandsTranslator], relay: options.relay ?? true },
          // The scheduler worker polls the saga deadlines with its other time-driven work.
          sagas: { bindings: [PaidSubscriptionSagaBinding] },
          callers: { audiences: [SUBSCRIPTION_SERVICE_AUDIENCE] },
          clock: options.clock,
        }),
      ],
      controllers: [SubscriptionGrpcController],
      providers: [
        { provide: SUBSCRIPTION_SETTINGS, useValue: settings },
        { provide: SUBSCRIPTION_UNIT_OF_WORK, useFactory: subscriptionUnitOfWork, inject: [UnitOfWork, EventStore, DataSource, CLOCK] },
        UsageService,
        PaidSubscriptionSagaBinding,
        IdentityEventsTranslator,
        StoryEventsTranslator,
        UsageCommandsTranslator,
        SubscriptionSchedulerWorker,
        ...COMMAND_HANDLERS,
        ...QUERY_HANDLERS,
      ],
    };
  }
}
