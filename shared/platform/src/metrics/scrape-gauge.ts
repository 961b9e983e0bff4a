import promClient, { type Gauge } from 'prom-client';
import { getLogger } from '../logging/logger.js';
import { metricsRegistry } from './registry.js';

/** One value of a scrape-time gauge. */
export interface GaugeSample<L extends string> {
  labels: Record<L, string>;
  value: number;
}

/** Reads the current values (a cheap query); called on every scrape of /metrics. */
export type GaugeSource<L extends string> = () => Promise<ReadonlyArray<GaugeSample<L>>>;

export interface ScrapeGauge<L extends string> {
  /** Adds a source; the returned function removes it (a stopping relay, consumer or worker). */
  add(source: GaugeSource<L>): () => void;
}

/** A source slower than this is skipped for the scrape (the scrape must not hang on a sick database). */
const SOURCE_TIMEOUT_MS = 2000;
const log = getLogger('metrics');
const gauges = new Map<string, { sources: Set<GaugeSource<string>> }>();

const collectErrors = (): promClient.Counter<'metric'> =>
  (metricsRegistry.getSingleMetric('metrics_collect_errors_total') as promClient.Counter<'metric'> | undefined) ??
  new promClient.Counter({
    name: 'metrics_collect_errors_total',
    help: 'Scrape-time metric reads that failed or timed out (the metric lacks those values for that scrape)',
    labelNames: ['metric'],
    registers: [metricsRegistry],
  });

function within<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/**
 * A gauge whose values are read when /metrics is scraped (prom-client's `collect`), from the
 * sources the running components add: the state lives in the database or the broker, so reading
 * it at scrape time costs nothing on the hot path and stays true while the component is stuck.
 * Registered once per process; several apps in one process (tests) add their own sources, told
 * apart by labels. A failing source is logged and counted in `metrics_collect_errors_total`.
 */
export function scrapeGauge<L extends string>(name: string, help: string, labelNames: readonly L[]): ScrapeGauge<L> {
  let entry = gauges.get(name);
  if (!entry || !metricsRegistry.getSingleMetric(name)) {
    const sources = new Set<GaugeSource<string>>();
    entry = { sources };
    gauges.set(name, entry);
    new promClient.Gauge<L>({
      name,
      help,
      labelNames: [...labelNames],
      registers: [metricsRegistry],
      async collect(this: Gauge<L>) {
        this.reset();
        const reads = await Promise.allSettled([...sources].map((read) => within(read(), SOURCE_TIMEOUT_MS)));
        for (const read of reads) {
          if (read.status === 'rejected') {
            collectErrors().inc({ metric: name });
            log.warn({ metric: name, err: read.reason }, 'metric source failed');
            continue;
          }
          for (const sample of read.value) this.set(sample.labels as Partial<Record<L, string>>, sample.value);
        }
      },
    });
  }
  const sources = entry.sources as Set<GaugeSource<L>>;
  return {
    add(source) {
      sources.add(source);
      return () => {
        sources.delete(source);
      };
    },
  };
}

/**
 * One read shared by the gauges it feeds during a scrape (several gauges from one query): the
 * result is reused for `ttlMs`, and concurrent callers share the read in flight.
 */
export function sharedRead<T>(read: () => Promise<T>, ttlMs = 1000): () => Promise<T> {
  let last: { at: number; value: Promise<T> } | undefined;
  return () => {
    const now = Date.now();
    if (last && now - last.at < ttlMs) return last.value;
    const value = read();
    last = { at: now, value };
    value.catch(() => {
      if (last?.value === value) last = undefined;
    });
    return value;
  };
}
