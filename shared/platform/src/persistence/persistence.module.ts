import {
  Global,
  Inject,
  Injectable,
  Module,
  type DynamicModule,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { DataSource } from 'typeorm';
import { HealthCoreModule } from '../health/health-core.module.js';
import { ReadinessRegistry } from '../health/readiness.js';
import { getLogger } from '../logging/logger.js';
import { createDataSource, type DataSourceMappings } from './data-source.js';
import type { DatabaseConfig } from './database-config.js';
import { runMigrations } from './run-migrations.js';
import { UnitOfWork } from './unit-of-work.js';

/** Injection token of the DatabaseConfig the module was built with (the relay opens its own connection from it). */
export const DATABASE_CONFIG = Symbol.for('storytelling.persistence.DatabaseConfig');

export interface PersistenceModuleOptions extends Omit<DataSourceMappings, 'migrations'> {
  database: DatabaseConfig;
  migrations?: DataSourceMappings['migrations'];
  /** Apply pending migrations when the module starts (tests, local dev). Default false: `migrate.js` does it. */
  migrateOnStart?: boolean;
}

@Injectable()
class PersistenceLifecycle implements OnModuleInit, OnApplicationShutdown {
  private readonly log = getLogger('persistence');

  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(ReadinessRegistry) private readonly readiness: ReadinessRegistry,
  ) {}

  onModuleInit(): void {
    this.readiness.register({
      name: 'database',
      check: async () => {
        await this.dataSource.query('SELECT 1');
      },
    });
  }

  /** Runs after every `beforeApplicationShutdown` (where messaging drains), so nothing is still using the pool. */
  async onApplicationShutdown(): Promise<void> {
    if (this.dataSource.isInitialized) {
      await this.dataSource.destroy();
      this.log.info('database pool closed');
    }
  }
}

@Global()
@Module({})
export class PersistenceModule {
  static forRoot(options: PersistenceModuleOptions): DynamicModule {
    const { database, migrateOnStart, ...mappings } = options;
    return {
      module: PersistenceModule,
      global: true,
      imports: [HealthCoreModule],
      providers: [
        { provide: DATABASE_CONFIG, useValue: database },
        {
          provide: DataSource,
          useFactory: async (): Promise<DataSource> => {
            const dataSource = createDataSource(database, mappings);
            await dataSource.initialize();
            if (migrateOnStart) await runMigrations(dataSource);
            return dataSource;
          },
        },
        UnitOfWork,
        PersistenceLifecycle,
      ],
      exports: [DataSource, UnitOfWork, DATABASE_CONFIG],
    };
  }
}
