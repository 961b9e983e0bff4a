import type { Clock } from '@storytelling/kernel';
import { systemClock } from '@storytelling/kernel';
import { Inject, Injectable, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { AccessTokenVerifier, EventStore, type IdentityTokenVerifier, MessagingModule, PersistenceModule, type RetryPolicy, UnitOfWork, CallerResolver, RetentionModule, retentionSettings } from '@storytelling/platform';
import { paymentsMigrations } from '../migrations/index.js';
import {
  CLOCK,
  COMMAND_HANDLERS,
  PAYMENT_PROVIDER,
  PAYMENTS_UNIT_OF_WORK,
  QUERY_HANDLERS,
  WEBHOOK_VERIFIERS,
  type PaymentProvider,
  type WebhookVerifier,
} from './application/index.js';
import type { PaymentsConfig } from './config.js';
import { PAYMENTS_COMMANDS_TOPIC, PaymentCommandsConsumer } from './infrastructure/messaging/payment-commands.consumer.js';
import { PAYMENTS_ENTITIES } from './infrastructure/persistence/entities.js';
import { createPaymentProvider } from './infrastructure/providers/index.js';
import { paymentsUnitOfWork } from './infrastructure/persistence/unit-of-work.js';
import { PaymentsGrpcController } from './interface/payments.grpc-controller.js';

const IDENTITY_TOKENS = Symbol('payments.IdentityTokenVerifier');

/** Closes the gRPC channel to identity once the application has shut down. */
@Injectable()
class IdentityChannelCloser implements OnApplicationShutdown {
  constructor(@Inject(IDENTITY_TOKENS) private readonly identity: IdentityTokenVerifier) {}
  onApplicationShutdown(): void {
    this.identity.close();
  }
}

export interface PaymentsModuleOptions {
  /** Replaces the adapter PAYMENTS_PROVIDER selects (built here: the sandbox's ledger needs the DataSource). */
  provider?: PaymentProvider;
  webhookVerifiers: ReadonlyMap<string, WebhookVerifier>;
  identity: IdentityTokenVerifier;
  /** Apply pending migrations at start (tests and local runs; deployments run migrate.js). */
  migrateOnStart?: boolean;
  relay?: boolean;
  clock?: Clock;
  /** Consumer retry backoff (tests shorten it). */
  retry?: Partial<RetryPolicy>;
}

/** The payments service: persistence + outbox, the payments.commands consumer, CQRS handlers, webhooks and queries over gRPC. */
@Module({})
export class PaymentsModule {
  static forRoot(config: PaymentsConfig, options: PaymentsModuleOptions): DynamicModule {
    return {
      module: PaymentsModule,
      imports: [
        CqrsModule.forRoot(),
        PersistenceModule.forRoot({
          database: { url: config.DATABASE_URL, schema: config.DATABASE_SCHEMA },
          entities: PAYMENTS_ENTITIES,
          migrations: paymentsMigrations,
          applicationName: 'payments',
          migrateOnStart: options.migrateOnStart ?? false,
        }),
        MessagingModule.forService({
          service: 'payments',
          kafka: { brokers: [...config.KAFKA_BROKERS], clientId: 'payments', topicPrefix: config.KAFKA_TOPIC_PREFIX },
          subscriptions: [{ topic: PAYMENTS_COMMANDS_TOPIC, handler: PaymentCommandsConsumer }],
          relay: options.relay ?? true,
          // A provider call sits inside each command's transaction: one message per transaction,
          // so a slow or failing charge never holds (or rolls back) its neighbours.
          maxMessagesPerTransaction: 1,
          retry: { attempts: config.PAYMENTS_COMMAND_ATTEMPTS, ...options.retry },
        }),
        RetentionModule.forService({ service: 'payments', settings: retentionSettings(config, 'payments') }),
      ],
      controllers: [PaymentsGrpcController],
      providers: [
        { provide: CLOCK, useValue: options.clock ?? systemClock },
        {
          provide: PAYMENT_PROVIDER,
          useFactory: (dataSource: DataSource) => options.provider ?? createPaymentProvider(config, dataSource),
          inject: [DataSource],
        },
        { provide: WEBHOOK_VERIFIERS, useValue: options.webhookVerifiers },
        { provide: IDENTITY_TOKENS, useValue: options.identity },
        { provide: AccessTokenVerifier, useValue: options.identity.verifier },
        IdentityChannelCloser,
        { provide: PAYMENTS_UNIT_OF_WORK, useFactory: paymentsUnitOfWork, inject: [UnitOfWork, EventStore, DataSource, CLOCK] },
        PaymentCommandsConsumer,
        CallerResolver,
        ...COMMAND_HANDLERS,
        ...QUERY_HANDLERS,
      ],
    };
  }
}
