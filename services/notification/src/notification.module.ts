import type { Clock } from '@storytelling/kernel';
import { Module, type DynamicModule } from '@nestjs/common';
import { EventStore, ServiceModule, UnitOfWork, type Closeable, type RetryPolicy } from '@storytelling/platform';
import { DataSource } from 'typeorm';
import { notificationMigrations } from '../migrations/index.js';
import { COMMAND_HANDLERS, EMAIL_SENDER, FOLLOWER_DIRECTORY, NOTIFICATION_UNIT_OF_WORK, NotificationPlanner, QUERY_HANDLERS, SENDER_SETTINGS, SMS_SENDER, TEMPLATE_RENDERER } from './application/index.js';
import type { EmailSender, FollowerDirectory, SmsSender, TemplateRenderer } from './application/index.js';
import { senderSettings, type NotificationConfig } from './config.js';
import { IdentityEventsTranslator } from './infrastructure/messaging/identity-events.translator.js';
import { NarrationEventsTranslator } from './infrastructure/messaging/narration-events.translator.js';
import { PaymentsEventsTranslator } from './infrastructure/messaging/payments-events.translator.js';
import { StoryEventsTranslator } from './infrastructure/messaging/story-events.translator.js';
import { SubscriptionEventsTranslator } from './infrastructure/messaging/subscription-events.translator.js';
import { NOTIFICATION_ENTITIES } from './infrastructure/persistence/entities.js';
import { notificationUnitOfWork } from './infrastructure/persistence/unit-of-work.js';
import { SENDER_ENABLED, SenderWorker } from './infrastructure/workers/sender.worker.js';
import { NotificationGrpcController } from './interface/notification.grpc-controller.js';

const TRANSLATORS = [IdentityEventsTranslator, StoryEventsTranslator, PaymentsEventsTranslator, SubscriptionEventsTranslator, NarrationEventsTranslator];

export interface NotificationModuleOptions {
  email: EmailSender;
  sms: SmsSender;
  templates: TemplateRenderer;
  followers: FollowerDirectory;
  /** Outgoing clients (story's gRPC channel, the service token source, SMTP pools), closed on shutdown. */
  clients?: readonly Closeable[];
  migrateOnStart?: boolean;
  relay?: boolean;
  /** Run the sender loop (default true). */
  sender?: boolean;
  clock?: Clock;
  /** The consumer's retry policy (tests shorten it). */
  consumerRetry?: Partial<RetryPolicy>;
}

/**
 * The notification service: the platform's service defaults (persistence + outbox, the consumer of
 * the identity, story, payments, subscription and narration translators, retention, callers,
 * CLOCK), the handlers, the sender worker and the gRPC endpoint.
 */
@Module({})
export class NotificationModule {
  static forRoot(config: NotificationConfig, options: NotificationModuleOptions): DynamicModule {
    return {
      module: NotificationModule,
      imports: [
        ServiceModule.forService({
          name: 'notification',
          config,
          persistence: { entities: NOTIFICATION_ENTITIES, migrations: notificationMigrations, migrateOnStart: options.migrateOnStart },
          messaging: { translators: TRANSLATORS, relay: options.relay ?? true, ...(options.consumerRetry ? { retry: options.consumerRetry } : {}) },
          // Users' access tokens only: every method acts for a person.
          callers: { audiences: [] },
          clock: options.clock,
          clients: options.clients ?? [],
        }),
      ],
      controllers: [NotificationGrpcController],
      providers: [
        { provide: SENDER_SETTINGS, useValue: senderSettings(config) },
        { provide: SENDER_ENABLED, useValue: options.sender ?? true },
        { provide: TEMPLATE_RENDERER, useValue: options.templates },
        { provide: EMAIL_SENDER, useValue: options.email },
        { provide: SMS_SENDER, useValue: options.sms },
        { provide: FOLLOWER_DIRECTORY, useValue: options.followers },
        { provide: NOTIFICATION_UNIT_OF_WORK, useFactory: notificationUnitOfWork, inject: [UnitOfWork, EventStore, DataSource] },
        NotificationPlanner,
        SenderWorker,
        ...TRANSLATORS,
        ...COMMAND_HANDLERS,
        ...QUERY_HANDLERS,
      ],
    };
  }
}
