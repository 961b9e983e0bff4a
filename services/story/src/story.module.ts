import { CLOCK, type Clock } from '@storytelling/kernel';
import { Module, type DynamicModule } from '@nestjs/common';
import { EventStore, ServiceModule, UnitOfWork, type Closeable } from '@storytelling/platform';
import { DataSource } from 'typeorm';
import { storyMigrations } from '../migrations/index.js';
import type { StoryAnalyser, StoryQuota } from './application/index.js';
import { ANALYSIS_SETTINGS, ANALYSIS_WAKEUP, COMMAND_HANDLERS, QUERY_HANDLERS, STORY_ANALYSER, STORY_QUOTA, STORY_UNIT_OF_WORK } from './application/index.js';
import { analysisSettings, type StoryConfig } from './config.js';
import { IdentityEventsTranslator } from './infrastructure/messaging/identity-events.translator.js';
import { analysisJobRetention } from './infrastructure/persistence/analysis-job-retention.js';
import { STORY_ENTITIES } from './infrastructure/persistence/entities.js';
import { storyUnitOfWork } from './infrastructure/persistence/unit-of-work.js';
import { AnalysisWorker } from './infrastructure/workers/analysis.worker.js';
import { StoryGrpcController } from './interface/story.grpc-controller.js';

/** The `aud` of service tokens meant for story (docs/adr/0016-service-tokens.md). */
export const STORY_SERVICE_AUDIENCE = 'story';

export interface StoryModuleOptions {
  /** The analyser adapter (createStoryApp builds it from STORY_ANALYSER). */
  analyser: StoryAnalyser;
  /** Recorded with stored analyses, e.g. `local` or `llm:<model>`. */
  analyserName: string;
  /** subscription's storiesPerMonth check (createStoryApp builds it from SUBSCRIPTION_GRPC_URL; closed on shutdown). */
  quota: StoryQuota & Closeable;
  /** Apply pending migrations at start (tests and local runs; deployments run migrate.js). */
  migrateOnStart?: boolean;
  /** Start the outbox relay in this process (default true). */
  relay?: boolean;
  clock?: Clock;
}

/**
 * The story service: the platform's service defaults (persistence + outbox, the identity events
 * translator's consumer, retention, callers, CLOCK), story's handlers, the analysis workers and
 * the gRPC endpoint.
 */
@Module({})
export class StoryModule {
  static forRoot(config: StoryConfig, options: StoryModuleOptions): DynamicModule {
    return {
      module: StoryModule,
      imports: [
        ServiceModule.forService({
          name: 'story',
          config,
          persistence: { entities: STORY_ENTITIES, migrations: storyMigrations, migrateOnStart: options.migrateOnStart },
          messaging: { translators: [IdentityEventsTranslator], relay: options.relay ?? true },
          retention: { rules: [analysisJobRetention(config.STORY_ANALYSIS_JOB_RETENTION_MS)] },
          // Users' access tokens, and service tokens issued for story (docs/adr/0016-service-tokens.md).
          callers: { audiences: [STORY_SERVICE_AUDIENCE] },
          clock: options.clock,
          clients: [options.quota],
        }),
      ],
      controllers: [StoryGrpcController],
      providers: [
        { provide: ANALYSIS_SETTINGS, useValue: analysisSettings(config, options.analyserName) },
        { provide: STORY_ANALYSER, useValue: options.analyser },
        { provide: STORY_QUOTA, useValue: options.quota },
        { provide: STORY_UNIT_OF_WORK, useFactory: storyUnitOfWork, inject: [UnitOfWork, EventStore, DataSource, CLOCK] },
        IdentityEventsTranslator,
        AnalysisWorker,
        { provide: ANALYSIS_WAKEUP, useExisting: AnalysisWorker },
        ...COMMAND_HANDLERS,
        ...QUERY_HANDLERS,
      ],
    };
  }
}
