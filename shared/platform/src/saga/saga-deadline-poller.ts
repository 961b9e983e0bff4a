import { systemClock, type Clock } from '@storytelling/kernel';
import type { EntityManager } from 'typeorm';
import { runWithContext } from '../context/request-context.js';
import { getLogger } from '../logging/logger.js';
import { withPlatformSpan } from '../telemetry/platform-spans.js';
import type { SagaInstance } from './saga.js';
import { sagaMetrics } from './saga-metrics.js';
import type { SagaStore } from './saga-store.js';

export interface SagaDeadlinePollerOptions {
  service: string;
  store: SagaStore;
  /** Runs work in one database transaction (the platform UnitOfWork.run). */
  transaction: <T>(work: (tx: EntityManager) => Promise<T>) => Promise<T>;
  /** Called with each overdue saga, locked, inside the claiming transaction. */
  onDeadline: (tx: EntityManager, saga: SagaInstance) => Promise<void>;
  /** Only these saga types (default all). */
  types?: readonly string[];
  intervalMs?: number;
  batchSize?: number;
  clock?: Clock;
}

/**
 * Times out stuck steps: every `intervalMs` it claims overdue sagas (SKIP LOCKED, so replicas
 * share the work) and hands each to `onDeadline` in the claiming transaction. A handler that
 * throws rolls back that saga only; it is retried on the next tick.
 */
export class SagaDeadlinePoller {
  private readonly log = getLogger('saga');
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;

  constructor(private readonly options: SagaDeadlinePollerOptions) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  /** One pass (tests call it after moving the clock). @returns how many sagas timed out. */
  async pollOnce(): Promise<number> {
    const clock = this.options.clock ?? systemClock;
    try {
      return await this.options.transaction(async (tx) => {
        const sagas = await this.options.store.claimOverdue<Record<string, unknown>>(tx, {
          now: clock.now(),
          limit: this.options.batchSize ?? 20,
          ...(this.options.types ? { types: this.options.types } : {}),
        });
        let handled = 0;
        for (const saga of sagas) {
          // A savepoint per saga: one failing handler does not take the others' effects with it.
          await tx.query('SAVEPOINT saga_deadline');
          try {
            // No request is around a deadline: its work goes on in the saga's own trace.
            await withPlatformSpan(
              `saga deadline ${saga.type}`,
              { parent: saga.traceparent ?? null, attributes: { 'saga.type': saga.type, 'saga.step': saga.step, 'saga.id': saga.id } },
              (traceparent) => runWithContext({ correlationId: saga.id, ...(traceparent ? { traceparent } : {}) }, () => this.options.onDeadline(tx, saga)),
            );
            await tx.query('RELEASE SAVEPOINT saga_deadline');
            sagaMetrics.deadlinesExpired.inc({ service: this.options.service, type: saga.type, step: saga.step });
            handled += 1;
          } catch (err) {
            await tx.query('ROLLBACK TO SAVEPOINT saga_deadline');
            this.log.warn({ err, sagaId: saga.id, type: saga.type, step: saga.step }, 'saga deadline handler failed; retried next tick');
          }
        }
        return handled;
      });
    } catch (err) {
      this.log.warn({ err }, 'saga deadline pass failed');
      return 0;
    }
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.pollOnce()
        .then(() => undefined)
        .finally(() => {
          this.running = undefined;
          this.schedule();
        });
    }, this.options.intervalMs ?? 1000);
    this.timer.unref();
  }
}
