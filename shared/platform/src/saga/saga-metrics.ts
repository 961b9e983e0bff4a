import { Counter, Histogram, register, type Metric } from 'prom-client';
import type { DataSource } from 'typeorm';
import { scrapeGauge, sharedRead } from '../metrics/scrape-gauge.js';

function once<T extends Metric>(name: string, make: () => T): T {
  return (register.getSingleMetric(name) as T | undefined) ?? make();
}

/** Saga metrics in the default registry (/metrics); several apps in one process share them. */
export const sagaMetrics = {
  /** A saga reached a terminal status (completed, failed, compensated). */
  get outcomes(): Counter<'service' | 'type' | 'outcome'> {
    return once(
      'saga_outcomes_total',
      () => new Counter({ name: 'saga_outcomes_total', help: 'Sagas that reached a terminal status', labelNames: ['service', 'type', 'outcome'] }),
    );
  },
  /** From start to the terminal status, by outcome. */
  get duration(): Histogram<'service' | 'type' | 'outcome'> {
    return once(
      'saga_duration_seconds',
      () =>
        new Histogram({
          name: 'saga_duration_seconds',
          help: 'Time from a saga’s start to its terminal status, by outcome',
          labelNames: ['service', 'type', 'outcome'],
          buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600, 86400],
        }),
    );
  },
  get started(): Counter<'service' | 'type'> {
    return once('saga_started_total', () => new Counter({ name: 'saga_started_total', help: 'Sagas started', labelNames: ['service', 'type'] }));
  },
  /** A step passed its deadline and the poller handed it to the saga's timeout handler. */
  get deadlinesExpired(): Counter<'service' | 'type' | 'step'> {
    return once(
      'saga_deadlines_expired_total',
      () => new Counter({ name: 'saga_deadlines_expired_total', help: 'Saga steps that timed out', labelNames: ['service', 'type', 'step'] }),
    );
  },
};

export const sagaGauges = {
  active: () => scrapeGauge('saga_active', 'Sagas running or compensating', ['service', 'type'] as const),
  overdue: () =>
    scrapeGauge(
      'saga_overdue',
      'Live sagas whose step deadline has passed and the deadline poller has not handled yet (a stuck poller or a failing timeout handler)',
      ['service', 'type'] as const,
    ),
};

/** Registers the saga gauges of `service` over its database (read at scrape time); returns the removal. */
export function watchSagas(service: string, dataSource: DataSource): () => void {
  const read = sharedRead(async () => {
    // The partial deadline index covers the overdue count; live sagas are few.
    const rows: Array<{ type: string; active: string; overdue: string }> = await dataSource.query(
      `SELECT type, count(*) AS active, count(*) FILTER (WHERE deadline_at < clock_timestamp()) AS overdue
         FROM saga_instances WHERE status IN ('running', 'compensating') GROUP BY type`,
    );
    return rows.map((r) => ({ type: r.type, active: Number(r.active), overdue: Number(r.overdue) }));
  });
  const removals = [
    sagaGauges.active().add(async () => (await read()).map((r) => ({ labels: { service, type: r.type }, value: r.active }))),
    sagaGauges.overdue().add(async () => (await read()).map((r) => ({ labels: { service, type: r.type }, value: r.overdue }))),
  ];
  return () => removals.forEach((remove) => remove());
}
