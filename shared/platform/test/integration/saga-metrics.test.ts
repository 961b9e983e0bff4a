// Saga outcomes, durations and the scrape-time gauges of live and overdue sagas, against real PostgreSQL.
import { FixedClock } from '@storytelling/kernel';
import type { EntityManager } from 'typeorm';
import { EventStore } from '../../src/messaging/event-store.js';
import { metricsRegistry } from '../../src/metrics/index.js';
import { SagaStore, watchSagas } from '../../src/saga/index.js';
import { createSandbox, type Sandbox } from './messaging-fixtures.js';

const SERVICE = 'saga-metrics-test';

/** One sample of a metric: `part` picks a histogram's `_sum`, `_count` or `_bucket` series. */
async function value(name: string, labels: Record<string, string>, part = ''): Promise<number | undefined> {
  const metric = metricsRegistry.getSingleMetric(name);
  if (!metric) return undefined;
  const { values } = await metric.get();
  const series = (v: (typeof values)[number]): string => (v as { metricName?: string }).metricName ?? name;
  return values.find((v) => series(v) === `${name}${part}` && Object.entries(labels).every(([k, want]) => String(v.labels[k]) === want))?.value;
}

describe('saga metrics (real PostgreSQL)', () => {
  let sb: Sandbox;
  let unwatch: () => void;
  const clock = new FixedClock(new Date('2030-01-01T00:00:00Z'));
  const store = new SagaStore({ service: SERVICE, events: new EventStore(), clock });
  const tx = <T>(work: (m: EntityManager) => Promise<T>): Promise<T> => sb.dataSource.transaction(work);

  beforeAll(async () => {
    sb = await createSandbox('sagametrics', { sagas: true });
    unwatch = watchSagas(SERVICE, sb.dataSource);
  });
  afterAll(async () => {
    unwatch?.();
    await sb?.close();
  });

  it('counts the outcome and observes the duration of a saga that completes', async () => {
    const saga = await tx((m) => store.start(m, { type: 'metered', step: 'a', state: {} }));
    clock.advance(90_000);
    await tx((m) => store.update(m, saga, { status: 'completed' }));
    expect(await value('saga_outcomes_total', { service: SERVICE, type: 'metered', outcome: 'completed' })).toBe(1);
    expect(await value('saga_duration_seconds', { service: SERVICE, type: 'metered', outcome: 'completed' }, '_sum')).toBe(90);
    expect(await value('saga_duration_seconds', { service: SERVICE, type: 'metered', outcome: 'completed', le: '60' }, '_bucket')).toBe(0);
    expect(await value('saga_duration_seconds', { service: SERVICE, type: 'metered', outcome: 'completed', le: '300' }, '_bucket')).toBe(1);
  });

  it('reports live sagas and those past their deadline, read at scrape time', async () => {
    const past = new Date(Date.now() - 60_000);
    const future = new Date(Date.now() + 3_600_000);
    await tx((m) => store.start(m, { type: 'waiting', step: 'a', state: {}, deadlineAt: past }));
    await tx((m) => store.start(m, { type: 'waiting', step: 'a', state: {}, deadlineAt: future }));
    await tx((m) => store.start(m, { type: 'waiting', step: 'a', state: {} }));
    expect(await value('saga_active', { service: SERVICE, type: 'waiting' })).toBe(3);
    expect(await value('saga_overdue', { service: SERVICE, type: 'waiting' })).toBe(1);
  });
});
