import healthCheck from 'grpc-health-check';
import type { Server as GrpcServer } from '@grpc/grpc-js';
import { getLogger } from '../logging/logger.js';
import type { ReadinessRegistry } from './readiness.js';

export type ServingStatus = 'UNKNOWN' | 'SERVING' | 'NOT_SERVING';

export interface GrpcHealthOptions {
  /** How often the registry is re-evaluated (ms). Default 5000. */
  intervalMs?: number;
}

/**
 * The standard grpc.health.v1 service (grpc-health-check), driven by the ReadinessRegistry: the
 * overall status ('') and every served service name are SERVING exactly when the registry
 * reports ready. Re-evaluated every `intervalMs` and on `refresh()`; `markNotServing()` flips
 * everything at once when shutdown begins. Watchers (Health/Watch) get every change.
 */
export class GrpcHealth {
  private readonly implementation = new healthCheck.HealthImplementation({ '': 'NOT_SERVING' });
  private readonly services = new Set<string>(['']);
  private timer: NodeJS.Timeout | undefined;
  private current: ServingStatus = 'NOT_SERVING';
  private stopped = false;
  private readonly log = getLogger('grpc-health');

  constructor(
    private readonly registry: ReadinessRegistry,
    private readonly options: GrpcHealthOptions = {},
  ) {}

  /** Adds grpc.health.v1.Health to a grpc-js server. */
  addToServer(server: GrpcServer): void {
    this.implementation.addToServer(server);
  }

  /** Fully-qualified service names to report on besides '' (e.g. storytelling.identity.v1.IdentityService). */
  addServices(names: Iterable<string>): void {
    for (const name of names) {
      this.services.add(name);
      this.implementation.setStatus(name, this.current);
    }
  }

  get status(): ServingStatus {
    return this.current;
  }

  start(): void {
    if (this.timer || this.stopped) return;
    void this.refresh();
    this.timer = setInterval(() => void this.refresh(), this.options.intervalMs ?? 5000);
    this.timer.unref();
  }

  /** Re-evaluates the registry now. */
  async refresh(): Promise<ServingStatus> {
    if (this.stopped) return this.current;
    const report = await this.registry.report();
    if (this.stopped) return this.current;
    this.set(report.ready ? 'SERVING' : 'NOT_SERVING');
    return this.current;
  }

  /** Shutdown: NOT_SERVING from now on; stops re-evaluation. */
  markNotServing(): void {
    this.stop();
    this.set('NOT_SERVING');
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private set(status: ServingStatus): void {
    if (status !== this.current) this.log.info({ status }, 'gRPC health status changed');
    this.current = status;
    for (const name of this.services) this.implementation.setStatus(name, status);
  }
}
