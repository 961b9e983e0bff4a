import {
  Global,
  Inject,
  Injectable,
  Module,
  type BeforeApplicationShutdown,
  type DynamicModule,
  type OnApplicationBootstrap,
  type OnModuleInit,
  type Type,
} from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { Admin } from 'kafkajs';
import { DataSource } from 'typeorm';
import { HealthCoreModule } from '../health/health-core.module.js';
import { ReadinessRegistry } from '../health/readiness.js';
import { getLogger } from '../logging/logger.js';
import type { DatabaseConfig } from '../persistence/database-config.js';
import { DATABASE_CONFIG } from '../persistence/persistence.module.js';
import type { RetryPolicy } from './backoff.js';
import { EventStore } from './event-store.js';
import { KafkaEventConsumer, type EventHandler } from './kafka-event-consumer.js';
import { deadLetterTopic, type KafkaConfig } from './kafka-config.js';
import { OutboxRelay, type OutboxRelayOptions } from './outbox-relay.js';
import { createKafka } from './kafka.js';
import { routeTopics, type MessageTranslator } from './translator.js';
import { watchConsumer, watchOutbox } from './scrape-metrics.js';

export interface MessagingSubscription {
  /** Logical topic (no prefix). */
  topic: string;
  /** Resolved from the application's providers if registered there, otherwise instantiated with DI. */
  handler: Type<EventHandler>;
}

export interface MessagingModuleOptions {
  service: string;
  kafka: KafkaConfig;
  /** The service's inbound translators (`on(message, handler)` routes); topics follow from them. */
  translators?: ReadonlyArray<Type<MessageTranslator>>;
  /** Raw per-topic handlers: the platform's own tests and benchmarks; services use translators. */
  subscriptions?: MessagingSubscription[];
  /** Run the outbox relay in this process (default true). */
  relay?: boolean;
  relayOptions?: Pick<OutboxRelayOptions, 'batchSize' | 'pollIntervalMs' | 'lockRetryMs' | 'pipelineDepth'>;
  retry?: Partial<RetryPolicy>;
  partitionsConsumedConcurrently?: number;
  maxMessagesPerTransaction?: number;
  /** How often the consumer commits processed offsets (default 1000 ms). */
  commitIntervalMs?: number;
}

export const MESSAGING_OPTIONS = Symbol.for('storytelling.messaging.Options');

/**
 * Owns the relay and the consumer of the service: starts them when the application has
 * bootstrapped (the consumer in the background, reported by the optional `consumers` readiness
 * check), stops them before the application shuts down (before the database pool closes).
 */
@Injectable()
export class MessagingRuntime implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly log = getLogger('messaging');
  private relayInstance: OutboxRelay | undefined;
  private consumerInstance: KafkaEventConsumer | undefined;
  /** The scrape-time gauges' sources, removed on shutdown; the admin client they read Kafka with. */
  private readonly unwatch: Array<() => void> = [];
  private metricsAdmin: Promise<Admin> | undefined;
  /** The consumer's background start (see onApplicationBootstrap); settles once started or stopped. */
  private consumerStart: Promise<void> | undefined;
  private consumerStarted = false;
  private consumerStartError: string | undefined;
  private stopping = false;
  private retryWake: (() => void) | undefined;

  constructor(
    @Inject(MESSAGING_OPTIONS) private readonly options: MessagingModuleOptions,
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(DATABASE_CONFIG) private readonly database: DatabaseConfig,
    @Inject(ReadinessRegistry) private readonly readiness: ReadinessRegistry,
    @Inject(ModuleRef) private readonly moduleRef: ModuleRef,
  ) {}

  get relay(): OutboxRelay | undefined {
    return this.relayInstance;
  }

  get consumer(): KafkaEventConsumer | undefined {
    return this.consumerInstance;
  }

  onModuleInit(): void {
    // Optional: the service serves (HTTP, gRPC, the outbox takes its events) while its consumers
    // join; `checks.consumers` tells when they have (tests and tools that publish wait for it).
    this.readiness.register({
      name: 'consumers',
      required: false,
      check: async () => {
        const consumer = this.consumerInstance;
        if (!consumer) throw new Error('consumers starting');
        const joined = consumer.topics.length === 0 ? this.consumerStarted : await consumer.waitUntilJoined(0).then(() => true, () => false);
        if (!joined) throw new Error(this.consumerStartError ?? 'joining the consumer group');
        await consumer.checkHealth();
      },
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    const { service, kafka } = this.options;
    const translators = await Promise.all((this.options.translators ?? []).map((t) => this.resolve(t)));
    const subscriptions = [
      ...routeTopics(translators),
      ...(await Promise.all((this.options.subscriptions ?? []).map(async (s) => ({ topic: s.topic, handler: await this.resolve(s.handler) })))),
    ];
    this.consumerInstance = new KafkaEventConsumer({
      service,
      kafka,
      dataSource: this.dataSource,
      subscriptions,
      ...(this.options.retry ? { retry: this.options.retry } : {}),
      ...(this.options.partitionsConsumedConcurrently ? { partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently } : {}),
      ...(this.options.maxMessagesPerTransaction ? { maxMessagesPerTransaction: this.options.maxMessagesPerTransaction } : {}),
      ...(this.options.commitIntervalMs ? { commitIntervalMs: this.options.commitIntervalMs } : {}),
    });
    // Always started (it also creates the DLQ topic), but not awaited: joining a group can take
    // a session timeout after a crash, and the service need not wait for it to serve.
    this.consumerStart = this.startConsumer(this.consumerInstance);
    if (this.options.relay ?? true) {
      this.relayInstance = new OutboxRelay({
        service,
        kafka,
        database: this.database,
        ...this.options.relayOptions,
      });
      this.relayInstance.start();
    }
    this.watch(this.consumerInstance);
    this.log.info({ service, relay: Boolean(this.relayInstance), topics: subscriptions.map((s) => s.topic) }, 'messaging started');
  }

  /** Starts the consumer, retrying (backoff up to 30 s) while Kafka is unreachable, until shutdown. */
  private async startConsumer(consumer: KafkaEventConsumer): Promise<void> {
    const began = Date.now();
    for (let attempt = 1; !this.stopping; attempt++) {
      try {
        await consumer.start();
        if (this.stopping) break;
        this.consumerStarted = true;
        this.consumerStartError = undefined;
        this.log.info({ service: this.options.service, ms: Date.now() - began }, 'consumers joined');
        return;
      } catch (err) {
        this.consumerStartError = `consumer start failed: ${err instanceof Error ? err.message : String(err)}`;
        this.log.warn({ err, attempt }, 'consumer start failed; retrying');
        await consumer.stop().catch(() => undefined);
        await new Promise<void>((resolve) => {
          this.retryWake = resolve;
          setTimeout(resolve, Math.min(30_000, 250 * 2 ** attempt)).unref();
        });
      }
    }
    // Shut down while starting: leave the group this attempt may have joined.
    await consumer.stop().catch(() => undefined);
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.readiness.markShuttingDown();
    this.stopping = true;
    this.retryWake?.();
    this.unwatch.splice(0).forEach((remove) => remove());
    const admin = this.metricsAdmin;
    this.metricsAdmin = undefined;
    await Promise.allSettled([this.consumerInstance?.stop(), this.relayInstance?.stop(), admin?.then((a) => a.disconnect())]);
    await this.consumerStart;
    this.log.info({ service: this.options.service }, 'messaging stopped');
  }

  /**
   * Outbox backlog, consumer lag and dead letters are read when /metrics is scraped (the outbox
   * table, the group's committed offsets), so they stay true whether or not this replica relays.
   */
  private watch(consumer: KafkaEventConsumer): void {
    const { service, kafka } = this.options;
    this.unwatch.push(
      watchOutbox(service, this.dataSource),
      watchConsumer({
        service,
        admin: () => (this.metricsAdmin ??= this.connectAdmin(kafka)),
        groupId: consumer.groupId,
        topics: consumer.topics,
        deadLetterTopic: deadLetterTopic(kafka, service),
        replayGroupId: `${kafka.topicPrefix}${service}.dlq-replay`,
        ready: () => this.consumerStarted,
      }),
    );
  }

  private async connectAdmin(kafka: KafkaConfig): Promise<Admin> {
    const admin = createKafka(kafka, 'metrics').admin();
    try {
      await admin.connect();
      return admin;
    } catch (err) {
      this.metricsAdmin = undefined; // the next scrape tries again
      throw err;
    }
  }

  private async resolve<T>(type: Type<T>): Promise<T> {
    try {
      return this.moduleRef.get(type, { strict: false });
    } catch {
      return this.moduleRef.create(type);
    }
  }
}

@Global()
@Module({})
export class MessagingModule {
  /** Needs PersistenceModule.forRoot (DataSource, DATABASE_CONFIG) in the same application. */
  static forService(options: MessagingModuleOptions): DynamicModule {
    return {
      module: MessagingModule,
      global: true,
      imports: [HealthCoreModule],
      providers: [{ provide: MESSAGING_OPTIONS, useValue: options }, EventStore, MessagingRuntime],
      exports: [EventStore, MessagingRuntime],
    };
  }
}
