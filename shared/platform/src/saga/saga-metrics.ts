import { Counter, register, type Metric } from 'prom-client';

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
