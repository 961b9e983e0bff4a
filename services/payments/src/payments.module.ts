import { CLOCK, type Clock } from '@storytelling/kernel';
import { Module, type DynamicModule } from '@nestjs/common';
import { EventStore, ServiceModule, UnitOfWork, type RetryPolicy } from '@storytelling/platform';
import { DataSource } from 'typeorm';
import { paymentsMigrations } from '../migrations/index.js';
import { COMMAND_HANDLERS, PAYMENT_PROVIDER, PAYMENTS_UNIT_OF_WORK, QUERY_HANDLERS, WEBHOOK_VERIFIERS, type PaymentProvider, type WebhookVerifier } from './application/index.js';
import type { PaymentsConfig } from './config.js';
import { IdentityEventsTranslator } from './infrastructure/messaging/identity-events.translator.js';
import { PaymentsCommandsTranslator } from './infrastructure/messaging/payments-commands.translator.js';
import { PAYMENTS_ENTITIES } from './infrastructure/persistence/entities.js';
import { paymentsUnitOfWork } from './infrastructure/persistence/unit-of-work.js';
import { createPaymentProvider } from './infrastructure/providers/index.js';
import { PaymentsGrpcController } from './interface/payments.grpc-controller.js';

export interface PaymentsModuleOptions {
  /** Replaces the adapter PAYMENTS_PROVIDER selects (built here: the sandbox's ledger needs the DataSource). */
  provider?: PaymentProvider | undefined;
  webhookVerifiers: ReadonlyMap<string, WebhookVerifier>;
  /** Apply pending migrations at start (tests and local runs; deployments run migrate.js). */
  migrateOnStart?: boolean;
  /** Start the outbox relay in this process (default true). */
  relay?: boolean;
  clock?: Clock;
  /** Consumer retry backoff (tests shorten it). */
  retry?: Partial<RetryPolicy>;
}

/**
 * The payments service: the platform's service defaults (persistence + outbox, the
 * payments.commands translator's consumer, retention, callers, CLOCK), payments' handlers, the
 * provider adapter and webhook verifiers, and the gRPC endpoint.
 */
@Module({})
export class PaymentsModule {
  static forRoot(config: PaymentsConfig, options: PaymentsModuleOptions): DynamicModule {
    return {
      module: PaymentsModule,
      imports: [
        ServiceModule.forService({
          name: 'payments',
          config,
          persistence: { entities: PAYMENTS_ENTITIES, migrations: paymentsMigrations, migrateOnStart: options.migrateOnStart },
          messaging: {
            translators: [PaymentsCommandsTranslator, IdentityEventsTranslator],
            relay: options.relay ?? true,
            // A provider call sits inside each command's transaction: one message per transaction,
            // so a slow or failing charge never holds (or rolls back) its neighbours.
            maxMessagesPerTransaction: 1,
            retry: { attempts: config.PAYMENTS_COMMAND_ATTEMPTS, ...options.retry },
          },
          // Users' access tokens (JWT_AUDIENCE) only, as before: no service token names payments.
          callers: {},
          clock: options.clock,
        }),
      ],
      controllers: [PaymentsGrpcController],
      providers: [
        {
          provide: PAYMENT_PROVIDER,
          useFactory: (dataSource: DataSource) => options.provider ?? createPaymentProvider(config, dataSource),
          inject: [DataSource],
        },
        { provide: WEBHOOK_VERIFIERS, useValue: options.webhookVerifiers },
        { provide: PAYMENTS_UNIT_OF_WORK, useFactory: paymentsUnitOfWork, inject: [UnitOfWork, EventStore, DataSource, CLOCK] },
        PaymentsCommandsTranslator,
        IdentityEventsTranslator,
        ...COMMAND_HANDLERS,
        ...QUERY_HANDLERS,
      ],
    };
  }
}
