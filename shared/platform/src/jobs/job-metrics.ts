import type { DataSource } from 'typeorm';
import { histogram } from '../metrics/registry.js';
import { scrapeGauge, sharedRead } from '../metrics/scrape-gauge.js';

/** One job turn that had a job, by queue (the JobLoops name) and outcome. Buckets span a quick analysis to a long narration. */
export const jobDuration = () =>
  histogram('job_duration_seconds', 'Duration of one job turn (claim to commit), by queue and outcome', ['queue', 'outcome'] as const, [
    0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800,
  ]);

export const jobGauges = {
  depth: () =>
    scrapeGauge(
      'job_queue_depth',
      'Jobs by state: due (pending, may run now), scheduled (pending, later), running (leased)',
      ['queue', 'state'] as const,
    ),
  oldestDueAge: () =>
    scrapeGauge(
      'job_oldest_due_age_seconds',
      'How long the oldest claimable job has waited (pending and due, or running with an expired lease); 0 when none',
      ['queue'] as const,
    ),
};

/** A leased job table (LeasedJobTable's columns) whose depth is reported under `queue`. */
export interface JobQueueWatch {
  queue: string;
  /** A constant of the service, never input. */
  table: string;
  dataSource: DataSource;
}

/** Registers the queue's gauges (read at scrape time); returns the removal. */
export function watchJobQueue({ queue, table, dataSource }: JobQueueWatch): () => void {
  const read = sharedRead(async () => {
    const rows: Array<{ due: string; scheduled: string; running: string; age: string | null }> = await dataSource.query(
      `SELECT count(*) FILTER (WHERE status = 'pending' AND run_after <= clock_timestamp()) AS due,
              count(*) FILTER (WHERE status = 'pending' AND run_after > clock_timestamp()) AS scheduled,
              count(*) FILTER (WHERE status = 'running') AS running,
              extract(epoch FROM clock_timestamp() - min(CASE
                WHEN status = 'pending' AND run_after <= clock_timestamp() THEN run_after
                WHEN status = 'running' AND lease_expires_at < clock_timestamp() THEN lease_expires_at END)) AS age
         FROM ${table} WHERE status IN ('pending', 'running')`,
    );
    const r = rows[0];
    return { due: Number(r?.due ?? 0), scheduled: Number(r?.scheduled ?? 0), running: Number(r?.running ?? 0), age: Math.max(0, Number(r?.age ?? 0)) };
  });
  const removals = [
    jobGauges.depth().add(async () => {
      const r = await read();
      return (['due', 'scheduled', 'running'] as const).map((state) => ({ labels: { queue, state }, value: r[state] }));
    }),
    jobGauges.oldestDueAge().add(async () => [{ labels: { queue }, value: (await read()).age }]),
  ];
  return () => removals.forEach((remove) => remove());
}
