import { Module, type DynamicModule, type Type } from '@nestjs/common';
import { ServiceModule, UnitOfWork, type MessageTranslator, type ServiceModuleOptions } from '@storytelling/platform';
import { DataSource } from 'typeorm';
import { narrationMigrations } from '../migrations/index.js';
import { COMMAND_HANDLERS, QUERY_HANDLERS, NARRATION_UNIT_OF_WORK } from './application/index.js';
import type { NarrationConfig } from './config.js';
import { NARRATION_ENTITIES } from './infrastructure/persistence/entities.js';
import { narrationUnitOfWork } from './infrastructure/persistence/unit-of-work.js';

/** The inbound translators (infrastructure/messaging/<context>-<events|commands>.translator.ts). */
const TRANSLATORS: Type<MessageTranslator>[] = [];

export type NarrationModuleOptions = Pick<ServiceModuleOptions, 'clock'> & { migrateOnStart?: boolean; relay?: boolean };

/**
 * The narration service: the platform's service defaults (persistence + outbox, the translators'
 * consumer, retention, callers, CLOCK), its handlers and the gRPC endpoint. Sagas join with
 * `sagas: { bindings: [...] }` (application/sagas/<name>.saga.ts, plus sagaMigrations).
 */
@Module({})
export class NarrationModule {
  static forRoot(config: NarrationConfig, options: NarrationModuleOptions = {}): DynamicModule {
    return {
      module: NarrationModule,
      imports: [
        ServiceModule.forService({
          name: 'narration',
          config,
          persistence: { entities: NARRATION_ENTITIES, migrations: narrationMigrations, migrateOnStart: options.migrateOnStart },
          messaging: { translators: TRANSLATORS, relay: options.relay ?? true },
          // Users' access tokens; add the service's own audience when other services call it with service tokens.
          callers: { audiences: [] },
          clock: options.clock,
        }),
      ],
      controllers: [],
      providers: [
        { provide: NARRATION_UNIT_OF_WORK, useFactory: narrationUnitOfWork, inject: [UnitOfWork, DataSource] },
        ...TRANSLATORS,
        ...COMMAND_HANDLERS,
        ...QUERY_HANDLERS,
      ],
    };
  }
}
