import type { Clock } from '@storytelling/kernel';
import { systemClock } from '@storytelling/kernel';
import { Inject, Injectable, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { AccessTokenVerifier, EventStore, MessagingModule, PersistenceModule, UnitOfWork, type IdentityTokenVerifier, type RetryPolicy, CallerResolver, RetentionModule, retentionSettings } from '@storytelling/platform';
import { notificationMigrations } from '../migrations/index.js';
import {
  CLOCK,
  COMMAND_HANDLERS,
  DeliverySender,
  EMAIL_SENDER,
  FOLLOWER_DIRECTORY,
  NOTIFICATION_UNIT_OF_WORK,
  NotificationPlanner,
  QUERY_HANDLERS,
  SENDER_SETTINGS,
  SMS_SENDER,
  TEMPLATE_RENDERER,
  type EmailSender,
  type FollowerDirectory,
  type SenderSettings,
  type SmsSender,
  type TemplateRenderer,
} from './application/index.js';
import type { NotificationConfig } from './config.js';
import { BillingEventsTranslator, PAYMENT_TOPIC, SUBSCRIPTION_TOPIC, USAGE_TOPIC } from './infrastructure/acl/billing-events.translator.js';
import { StoryEventsTranslator, STORY_TOPIC } from './infrastructure/acl/story-events.translator.js';
import { IDENTITY_USER_TOPIC, UserEventsTranslator } from './infrastructure/acl/user-events.translator.js';
import { NOTIFICATION_ENTITIES } from './infrastructure/persistence/entities.js';
import { notificationUnitOfWork } from './infrastructure/persistence/unit-of-work.js';
import { SENDER_ENABLED, SenderWorker } from './infrastructure/worker/sender-worker.js';
import { NotificationGrpcController } from './interface/notification.grpc-controller.js';

const CLOSERS = Symbol('notification.Closers');

/** Closes gRPC channels and SMTP pools once the application has shut down. */
@Injectable()
class ResourceCloser implements OnApplicationShutdown {
  constructor(@Inject(CLOSERS) private readonly closers: ReadonlyArray<() => void>) {}
  onApplicationShutdown(): void {
    for (const close of this.closers) close();
  }
}

export interface NotificationModuleOptions {
  identity: IdentityTokenVerifier;
  email: EmailSender;
  sms: SmsSender;
  templates: TemplateRenderer;
  followers: FollowerDirectory;
  /** Called on shutdown (channels, pools). */
  closers?: Array<() => void>;
  migrateOnStart?: boolean;
  relay?: boolean;
  /** Run the sender loop (default true). */
  sender?: boolean;
  clock?: Clock;
  /** The consumer's retry policy (tests shorten it). */
  consumerRetry?: Partial<RetryPolicy>;
}

/**
 * The notification service: persistence + outbox, the ACL consumers (identity, story, payments,
 * subscription) planning deliveries in their inbox transaction, CQRS handlers, the sender
 * worker and the gRPC endpoint.
 */
@Module({})
export class NotificationModule {
  static forRoot(config: NotificationConfig, options: NotificationModuleOptions): DynamicModule {
    const settings: SenderSettings = {
      batchSize: config.NOTIFICATION_SEND_BATCH,
      leaseMs: config.NOTIFICATION_SEND_LEASE_MS,
      pollMs: config.NOTIFICATION_SEND_POLL_MS,
      maxAttempts: config.NOTIFICATION_MAX_ATTEMPTS,
      retryBaseMs: config.NOTIFICATION_RETRY_BASE_MS,
      retryMaxMs: config.NOTIFICATION_RETRY_MAX_MS,
      followersPageSize: config.NOTIFICATION_FOLLOWERS_PAGE_SIZE,
    };
    return {
      module: NotificationModule,
      imports: [
        CqrsModule.forRoot(),
        PersistenceModule.forRoot({
          database: { url: config.DATABASE_URL, schema: config.DATABASE_SCHEMA },
          entities: NOTIFICATION_ENTITIES,
          migrations: notificationMigrations,
          applicationName: 'notification',
          migrateOnStart: options.migrateOnStart ?? false,
        }),
        MessagingModule.forService({
          service: 'notification',
          kafka: { brokers: [...config.KAFKA_BROKERS], clientId: 'notification', topicPrefix: config.KAFKA_TOPIC_PREFIX },
          subscriptions: [
            { topic: IDENTITY_USER_TOPIC, handler: UserEventsTranslator },
            { topic: STORY_TOPIC, handler: StoryEventsTranslator },
            { topic: PAYMENT_TOPIC, handler: BillingEventsTranslator },
            { topic: SUBSCRIPTION_TOPIC, handler: BillingEventsTranslator },
            { topic: USAGE_TOPIC, handler: BillingEventsTranslator },
          ],
          relay: options.relay ?? true,
          ...(options.consumerRetry ? { retry: options.consumerRetry } : {}),
        }),
        RetentionModule.forService({ service: 'notification', settings: retentionSettings(config, 'notification') }),
      ],
      controllers: [NotificationGrpcController],
      providers: [
        { provide: CLOCK, useValue: options.clock ?? systemClock },
        { provide: SENDER_SETTINGS, useValue: settings },
        { provide: SENDER_ENABLED, useValue: options.sender ?? true },
        { provide: TEMPLATE_RENDERER, useValue: options.templates },
        { provide: EMAIL_SENDER, useValue: options.email },
        { provide: SMS_SENDER, useValue: options.sms },
        { provide: FOLLOWER_DIRECTORY, useValue: options.followers },
        { provide: AccessTokenVerifier, useValue: options.identity.verifier },
        { provide: CLOSERS, useValue: [() => options.identity.close(), ...(options.closers ?? [])] },
        ResourceCloser,
        { provide: NOTIFICATION_UNIT_OF_WORK, useFactory: notificationUnitOfWork, inject: [UnitOfWork, EventStore, DataSource] },
        NotificationPlanner,
        DeliverySender,
        SenderWorker,
        UserEventsTranslator,
        StoryEventsTranslator,
        BillingEventsTranslator,
        CallerResolver,
        ...COMMAND_HANDLERS,
        ...QUERY_HANDLERS,
      ],
    };
  }
}
