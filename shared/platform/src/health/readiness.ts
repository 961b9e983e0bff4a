/**
 * Readiness is the sum of what a service needs to do useful work (database, Kafka, peers).
 * Modules register their checks here when they start; `/ready` and the gRPC health service
 * both read it. Liveness (`/health`) deliberately checks nothing external.
 */
export interface ReadinessCheck {
  name: string;
  check(): Promise<void>;
  /**
   * Default true. An optional dependency is reported but does not make the service unready:
   * the routes that need it answer 503 on their own, and taking the whole service out of
   * rotation because one peer is down would turn a partial outage into a total one.
   */
  required?: boolean;
}

export interface ReadinessReport {
  ready: boolean;
  checks: Record<string, { ok: boolean; error?: string; optional?: true }>;
}

export class ReadinessRegistry {
  private readonly checks = new Map<string, ReadinessCheck>();
  private shuttingDown = false;

  register(check: ReadinessCheck): void {
    this.checks.set(check.name, check);
  }

  /** Once shutdown starts, the service reports not-ready so traffic drains away. */
  markShuttingDown(): void {
    this.shuttingDown = true;
  }

  async report(timeoutMs = 2000): Promise<ReadinessReport> {
    const entries = await Promise.all(
      [...this.checks.values()].map(async (c) => {
        try {
          await withTimeout(c.check(), timeoutMs, c.name);
          return [c.name, { ok: true, ...optional(c) }] as const;
        } catch (err) {
          return [c.name, { ok: false, error: err instanceof Error ? err.message : String(err), ...optional(c) }] as const;
        }
      }),
    );
    const checks = Object.fromEntries(entries);
    const ready = !this.shuttingDown && entries.every(([, r]) => r.ok || r.optional === true);
    return { ready, checks: this.shuttingDown ? { ...checks, shutdown: { ok: false, error: 'shutting down' } } : checks };
  }
}

function optional(c: ReadinessCheck): { optional?: true } {
  return c.required === false ? { optional: true } : {};
}

function withTimeout<T>(p: Promise<T>, ms: number, name: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${name} check timed out after ${ms} ms`)), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(t);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}
