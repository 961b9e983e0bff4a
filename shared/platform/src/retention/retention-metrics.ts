import { Counter, register } from 'prom-client';

/** Retention metrics in the default registry (/metrics); several apps in one process share them. */
export const retentionMetrics = {
  get deleted(): Counter<'service' | 'table'> {
    return (
      (register.getSingleMetric('retention_deleted_rows_total') as Counter<'service' | 'table'> | undefined) ??
      new Counter({ name: 'retention_deleted_rows_total', help: 'Rows deleted by the retention sweep', labelNames: ['service', 'table'] })
    );
  },
};
