import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { getLogger } from '../logging/logger.js';
import { sweepExpiredIdempotencyKeys } from './idempotency.js';

/** How often a replica deletes expired idempotency keys. Any replica may; the DELETE is idempotent. */
export const IDEMPOTENCY_SWEEP_INTERVAL_MS = 15 * 60 * 1000;

/**
 * Retention of idempotency_keys: a provider a service adds next to its handlers that use
 * withIdempotency. Sweeps once at start and then every 15 minutes, in batches.
 */
@Injectable()
export class IdempotencyKeySweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private readonly log = getLogger('idempotency');

  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.sweep(), IDEMPOTENCY_SWEEP_INTERVAL_MS);
    this.timer.unref();
    void this.sweep();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  /** One pass: batches until fewer than a batch are left. */
  sweep(now: Date = new Date()): Promise<void> {
    this.running ??= (async () => {
      try {
        let deleted = 0;
        for (let n = 1000; n === 1000; deleted += n) n = await sweepExpiredIdempotencyKeys(this.dataSource, now, 1000);
        if (deleted > 0) this.log.info({ deleted }, 'expired idempotency keys deleted');
      } catch (err) {
        this.log.warn({ err: err instanceof Error ? err.message : String(err) }, 'idempotency key sweep failed');
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }
}
