import type { Clock } from '@storytelling/kernel';
import { systemClock } from '@storytelling/kernel';
import { Inject, Injectable, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { AccessTokenVerifier, EventStore, type IdentityTokenVerifier, MessagingModule, PersistenceModule, UnitOfWork, CallerResolver, RetentionModule, retentionSettings } from '@storytelling/platform';
import { storyMigrations } from '../migrations/index.js';
import {
  ANALYSIS_SETTINGS,
  ANALYSIS_WAKEUP,
  AnalysisJobProcessor,
  CLOCK,
  COMMAND_HANDLERS,
  QUERY_HANDLERS,
  STORY_ANALYSER,
  STORY_QUOTA,
  STORY_UNIT_OF_WORK,
  type StoryQuota,
  type AnalysisSettings,
  type StoryAnalyser,
} from './application/index.js';
import type { StoryConfig } from './config.js';
import { IDENTITY_USER_TOPIC, UserEventsTranslator } from './infrastructure/acl/user-events.translator.js';
import { analysisJobRetention } from './infrastructure/persistence/analysis-job-retention.js';
import { STORY_ENTITIES } from './infrastructure/persistence/entities.js';
import { storyUnitOfWork } from './infrastructure/persistence/unit-of-work.js';
import { AnalysisWorkerRunner } from './infrastructure/worker/analysis-worker.js';
import { StoryGrpcController } from './interface/story.grpc-controller.js';

const IDENTITY_TOKENS = Symbol('story.IdentityTokenVerifier');

/** Closes the gRPC channels to identity and subscription once the application has shut down. */
@Injectable()
class IdentityChannelCloser implements OnApplicationShutdown {
  constructor(
    @Inject(IDENTITY_TOKENS) private readonly identity: IdentityTokenVerifier,
    @Inject(STORY_QUOTA) private readonly quota: StoryQuota & { close?(): void },
  ) {}
  onApplicationShutdown(): void {
    this.identity.close();
    this.quota.close?.();
  }
}

export interface StoryModuleOptions {
  /** The analyser adapter (createStoryApp builds it from STORY_ANALYSER). */
  analyser: StoryAnalyser;
  /** Recorded with stored analyses, e.g. `local` or `llm:<model>`. */
  analyserName: string;
  /** Verifies callers' access tokens against identity's JWKS (createStoryApp builds it; closed on shutdown). */
  identity: IdentityTokenVerifier;
  /** subscription's storiesPerMonth check (createStoryApp builds it from SUBSCRIPTION_GRPC_URL; closed on shutdown). */
  quota: StoryQuota & { close?(): void };
  /** Apply pending migrations at start (tests and local runs; deployments run migrate.js). */
  migrateOnStart?: boolean;
  /** Start the outbox relay in this process (default true). */
  relay?: boolean;
  clock?: Clock;
}

/**
 * The story service: persistence + outbox, the identity ACL consumer, CQRS handlers, the
 * analysis workers and the gRPC endpoint.
 */
@Module({})
export class StoryModule {
  static forRoot(config: StoryConfig, options: StoryModuleOptions): DynamicModule {
    const clock = options.clock ?? systemClock;
    const settings: AnalysisSettings = {
      workers: config.STORY_ANALYSIS_WORKERS,
      timeoutMs: config.STORY_ANALYSIS_TIMEOUT_MS,
      leaseMs: config.STORY_ANALYSIS_LEASE_MS,
      maxAttempts: config.STORY_ANALYSIS_MAX_ATTEMPTS,
      retryBaseMs: config.STORY_ANALYSIS_RETRY_BASE_MS,
      pollMs: config.STORY_ANALYSIS_POLL_MS,
      analyserName: options.analyserName,
    };
    return {
      module: StoryModule,
      imports: [
        CqrsModule.forRoot(),
        PersistenceModule.forRoot({
          database: { url: config.DATABASE_URL, schema: config.DATABASE_SCHEMA },
          entities: STORY_ENTITIES,
          migrations: storyMigrations,
          applicationName: 'story',
          migrateOnStart: options.migrateOnStart ?? false,
        }),
        MessagingModule.forService({
          service: 'story',
          kafka: { brokers: [...config.KAFKA_BROKERS], clientId: 'story', topicPrefix: config.KAFKA_TOPIC_PREFIX },
          subscriptions: [{ topic: IDENTITY_USER_TOPIC, handler: UserEventsTranslator }],
          relay: options.relay ?? true,
        }),
        RetentionModule.forService({ service: 'story', settings: retentionSettings(config, 'story'), rules: [analysisJobRetention(config.STORY_ANALYSIS_JOB_RETENTION_MS)] }),
      ],
      controllers: [StoryGrpcController],
      providers: [
        { provide: CLOCK, useValue: clock },
        { provide: ANALYSIS_SETTINGS, useValue: settings },
        { provide: STORY_ANALYSER, useValue: options.analyser },
        { provide: IDENTITY_TOKENS, useValue: options.identity },
        { provide: STORY_QUOTA, useValue: options.quota },
        { provide: AccessTokenVerifier, useValue: options.identity.verifier },
        IdentityChannelCloser,
        { provide: STORY_UNIT_OF_WORK, useFactory: storyUnitOfWork, inject: [UnitOfWork, EventStore, DataSource, CLOCK] },
        UserEventsTranslator,
        AnalysisJobProcessor,
        AnalysisWorkerRunner,
        { provide: ANALYSIS_WAKEUP, useExisting: AnalysisWorkerRunner },
        CallerResolver,
        ...COMMAND_HANDLERS,
        ...QUERY_HANDLERS,
      ],
    };
  }
}
