import promClient from 'prom-client';
import type { Histogram, Registry } from 'prom-client';

/** prom-client's default registry: one per process, served at /metrics. */
export const metricsRegistry: Registry = promClient.register;

let defaultsCollected = false;

/** Node/process default metrics, once per process (safe to call from every app a test boots). */
export function collectDefaultMetrics(): void {
  if (defaultsCollected) return;
  defaultsCollected = true;
  promClient.collectDefaultMetrics({ register: metricsRegistry });
}

/** A histogram registered once per process (a second app in the same process reuses it). */
export function histogram<L extends string>(name: string, help: string, labelNames: readonly L[], buckets?: number[]): Histogram<L> {
  const existing = metricsRegistry.getSingleMetric(name);
  if (existing) return existing as Histogram<L>;
  return new promClient.Histogram<L>({
    name,
    help,
    labelNames: [...labelNames],
    buckets: buckets ?? [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [metricsRegistry],
  });
}

/** The exposition text and its content type. */
export async function renderMetrics(): Promise<{ contentType: string; body: string }> {
  return { contentType: metricsRegistry.contentType, body: await metricsRegistry.metrics() };
}
