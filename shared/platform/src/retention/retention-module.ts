import { Inject, Injectable, Module, type DynamicModule, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { getLogger } from '../logging/logger.js';
import type { RetentionSettings } from './retention-config.js';
import { retentionMetrics } from './retention-metrics.js';
import { deleteExpired, idempotencyKeysRetention, inboxRetention, outboxRetention, sagaRetention, type RetentionRule } from './retention-rules.js';

export interface RetentionOptions {
  service: string;
  /** From retentionSettings(config). */
  settings: RetentionSettings;
  /** The service runs sagas (has sagaMigrations): finished sagas are swept too. */
  sagas?: boolean;
  /** Tables of the service's own that expire the same way (e.g. story's finished analysis jobs). */
  rules?: readonly RetentionRule[];
}

export const RETENTION_OPTIONS = Symbol.for('storytelling.retention.Options');

/** The platform tables every service has, plus sagas and the service's own rules. */
export function retentionRules(options: RetentionOptions): RetentionRule[] {
  const { settings } = options;
  return [
    idempotencyKeysRetention,
    outboxRetention(settings.outboxMs),
    inboxRetention(settings.inboxMs),
    ...(options.sagas ? [sagaRetention(settings.sagaMs)] : []),
    ...(options.rules ?? []),
  ];
}

/**
 * Sweeps once at start and then every `intervalMs` on every replica: the batches use SKIP
 * LOCKED, so replicas sweeping at once share the rows instead of waiting on each other.
 */
@Injectable()
export class RetentionSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private readonly log = getLogger('retention');
  private readonly rules: RetentionRule[];

  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(RETENTION_OPTIONS) private readonly options: RetentionOptions,
  ) {
    this.rules = retentionRules(options);
  }

  onApplicationBootstrap(): void {
    if (this.options.settings.intervalMs === 0) return;
    this.timer = setInterval(() => void this.sweep(), this.options.settings.intervalMs);
    this.timer.unref();
    void this.sweep();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  /** One pass over every table; a failing table is logged and does not stop the others. */
  sweep(now: Date = new Date()): Promise<void> {
    this.running ??= (async () => {
      try {
        for (const rule of this.rules) {
          try {
            const deleted = await deleteExpired(this.dataSource, rule, now, this.options.settings.batchSize);
            if (deleted === 0) continue;
            retentionMetrics.deleted.inc({ service: this.options.service, table: rule.table }, deleted);
            this.log.info({ table: rule.table, deleted }, 'expired rows deleted');
          } catch (err) {
            this.log.warn({ table: rule.table, err: err instanceof Error ? err.message : String(err) }, 'retention sweep failed');
          }
        }
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }
}

@Module({})
export class RetentionModule {
  /** Needs PersistenceModule.forRoot (DataSource) in the same application. */
  static forService(options: RetentionOptions): DynamicModule {
    return {
      module: RetentionModule,
      providers: [{ provide: RETENTION_OPTIONS, useValue: options }, RetentionSweeper],
      exports: [RetentionSweeper],
    };
  }
}
