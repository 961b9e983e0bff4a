import { hostname } from 'node:os';
import type { BeforeApplicationShutdown, OnApplicationBootstrap } from '@nestjs/common';
import { uuidv7 } from '@storytelling/kernel';
import type { DataSource } from 'typeorm';
import { getLogger } from '../logging/logger.js';
import { jobDuration, watchJobQueue } from './job-metrics.js';

export interface JobLoopsOptions {
  /**
   * Names the loops' worker ids, logs and metrics (`analysis`, `narration`, `voice-training`):
   * logger `<name>-worker`, label `queue` of job_duration_seconds and the queue gauges.
   */
  name: string;
  /** The job table, for the queue's scrape-time gauges (job_queue_depth, job_oldest_due_age_seconds). */
  table?: { name: string; dataSource: DataSource };
  /** Loops in this process; 0 runs none. */
  workers: number;
  /** How long an idle loop waits before it looks again (a wake-up cuts it short). */
  pollMs: number;
  /** One turn: claim and run at most one job. `idle` when there was none. */
  turn: (workerId: string, stop: AbortSignal) => Promise<{ kind: string }>;
  /** After a turn that had a job, with its outcome and duration (job_duration_seconds has it already). */
  onTurn?: (outcome: string, seconds: number) => void;
  /** Extra fields of the "workers started" log line (e.g. which adapter the jobs use). */
  logFields?: Record<string, unknown>;
}

/**
 * Loops that run leased jobs one turn at a time (LeasedJobTable shares the work between replicas
 * and survives restarts): each loop runs `turn` until it finds nothing, then sleeps `pollMs` or
 * until `notify()`. Worker ids are `<host>:<pid>:<random>:<name>-<i>`, unique per process start.
 * `stop()` aborts the signal every turn gets (a turn hands its job back) and waits for the loops
 * to end. A turn that throws is logged and the loop goes on after a pause of `pollMs`.
 */
export class JobLoops {
  private readonly log;
  private readonly abort = new AbortController();
  private readonly loops: Promise<void>[] = [];
  private readonly sleepers = new Set<() => void>();
  private unwatch: (() => void) | undefined;

  constructor(private readonly options: JobLoopsOptions) {
    this.log = getLogger(`${options.name}-worker`);
  }

  start(): void {
    const base = `${hostname()}:${process.pid}:${uuidv7().slice(-12)}`;
    for (let i = 0; i < this.options.workers; i++) this.loops.push(this.loop(`${base}:${this.options.name}-${i}`));
    const { table } = this.options;
    // Every replica reports the queue (the same rows): dashboards take max by queue.
    if (table) this.unwatch = watchJobQueue({ queue: this.options.name, table: table.name, dataSource: table.dataSource });
    if (this.options.workers > 0) this.log.info({ workers: this.options.workers, ...this.options.logFields }, `${this.options.name} workers started`);
  }

  /** Wakes the idle loops (a job was queued by this process). */
  notify(): void {
    for (const wake of this.sleepers) wake();
    this.sleepers.clear();
  }

  /** Stops claiming, aborts the turns in flight (they hand their jobs back) and waits for the loops to end. */
  async stop(): Promise<void> {
    this.abort.abort(new Error('shutting down'));
    this.unwatch?.();
    this.notify();
    await Promise.allSettled(this.loops);
  }

  private async loop(workerId: string): Promise<void> {
    const signal = this.abort.signal;
    while (!signal.aborted) {
      try {
        const started = process.hrtime.bigint();
        const outcome = await this.options.turn(workerId, signal);
        if (outcome.kind === 'idle') await this.sleep(this.options.pollMs);
        else {
          const seconds = Number(process.hrtime.bigint() - started) / 1e9;
          jobDuration().observe({ queue: this.options.name, outcome: outcome.kind }, seconds);
          this.options.onTurn?.(outcome.kind, seconds);
        }
      } catch (err) {
        this.log.error({ err, workerId }, `${this.options.name} worker turn failed`);
        await this.sleep(this.options.pollMs);
      }
    }
  }

  private sleep(ms: number): Promise<void> {
    if (this.abort.signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.sleepers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.sleepers.add(done);
    });
  }
}

/**
 * A service's worker provider over JobLoops (its subclass lives in the service's
 * infrastructure/workers/ and passes the options): the loops start with the application and stop
 * (a job in flight handed back) before it shuts down; `notify()` wakes idle loops (a job was
 * queued here).
 */
export abstract class JobLoopsWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  protected readonly loops: JobLoops;

  constructor(options: JobLoopsOptions) {
    this.loops = new JobLoops(options);
  }

  onApplicationBootstrap(): void {
    this.loops.start();
  }

  notify(): void {
    this.loops.notify();
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.loops.stop();
  }
}
