import { Module, type DynamicModule, type Provider, type Type } from '@nestjs/common';
import { CLOCK } from '@storytelling/kernel';
import { EventStore, ServiceModule, UnitOfWork, type MessageTranslator, type ServiceModuleOptions } from '@storytelling/platform';
import { DataSource } from 'typeorm';
import { narrationMigrations } from '../migrations/index.js';
import { COMMAND_HANDLERS, QUERY_HANDLERS, NARRATION_UNIT_OF_WORK, NarrationQuotaSagaBinding } from './application/index.js';
import type { NarrationConfig } from './config.js';
import { NARRATION_ENTITIES } from './infrastructure/persistence/entities.js';
import { finishedJobRetention } from './infrastructure/persistence/job-retention.js';
import { narrationUnitOfWork } from './infrastructure/persistence/unit-of-work.js';
import { NARRATION_TRANSLATORS, narrationAdapters, narrationServiceTokens } from './infrastructure/narration-providers.js';
import { voiceAdapters } from './infrastructure/voice-providers.js';
import { NarrationsGrpcController } from './interface/narrations.grpc-controller.js';
import { VoicesGrpcController } from './interface/voices.grpc-controller.js';

/** The inbound translators (infrastructure/messaging/<context>-<events|commands>.translator.ts). */
const TRANSLATORS: Type<MessageTranslator>[] = [...NARRATION_TRANSLATORS];

export type NarrationModuleOptions = Pick<ServiceModuleOptions, 'clock'> & {
  migrateOnStart?: boolean;
  relay?: boolean;
  /** Replace adapters the config selects (tests: a failing speech engine, another story): listed last, they win. */
  providers?: Provider[];
};

/**
 * The narration service: the platform's service defaults (persistence + outbox, the translators'
 * consumer, retention, callers, CLOCK), the voices' adapters (voice-providers.ts) and the
 * narrations' (narration-providers.ts: story's ACL, the workers, the narration-quota saga), the
 * handlers and both halves of the gRPC endpoint.
 */
@Module({})
export class NarrationModule {
  static forRoot(config: NarrationConfig, options: NarrationModuleOptions = {}): DynamicModule {
    const serviceTokens = narrationServiceTokens(config);
    const voices = voiceAdapters(config, serviceTokens);
    const narrations = narrationAdapters(config, serviceTokens);
    return {
      module: NarrationModule,
      imports: [
        ServiceModule.forService({
          name: 'narration',
          config,
          persistence: { entities: NARRATION_ENTITIES, migrations: narrationMigrations, migrateOnStart: options.migrateOnStart },
          messaging: { translators: TRANSLATORS, relay: options.relay ?? true },
          sagas: { bindings: [NarrationQuotaSagaBinding] },
          retention: { rules: finishedJobRetention(config.NARRATION_JOB_RETENTION_MS) },
          // Users' access tokens; add the service's own audience when other services call it with service tokens.
          callers: { audiences: [] },
          clock: options.clock,
          clients: [...voices.clients, ...narrations.clients, ...(serviceTokens ? [serviceTokens] : [])],
        }),
      ],
      controllers: [VoicesGrpcController, NarrationsGrpcController],
      providers: [
        { provide: NARRATION_UNIT_OF_WORK, useFactory: narrationUnitOfWork, inject: [UnitOfWork, EventStore, DataSource, CLOCK] },
        ...voices.providers,
        ...narrations.providers,
        ...TRANSLATORS,
        ...COMMAND_HANDLERS,
        ...QUERY_HANDLERS,
        ...(options.providers ?? []),
      ],
    };
  }
}
