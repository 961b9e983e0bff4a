#!/usr/bin/env node
// Writes the fleet's Grafana dashboard (helm/storytelling/dashboards/storytelling-fleet.json),
// shipped by the chart as a ConfigMap the Grafana sidecar loads: a fleet overview, then one row
// per service of fleet.json. Every expression uses only metrics the code registers;
// npm run deploy:check verifies that and that the file is what this script writes.
//
//   node scripts/gen-dashboard.mjs           write the file
//   node scripts/gen-dashboard.mjs --check   exit 1 if the file differs
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const DASHBOARD_FILE = join(ROOT, 'helm/storytelling/dashboards/storytelling-fleet.json');

/** gRPC codes that mean the server failed (not the caller's mistake). */
export const GRPC_SERVER_ERRORS = 'UNKNOWN|INTERNAL|UNAVAILABLE|DEADLINE_EXCEEDED|DATA_LOSS|UNIMPLEMENTED';

/** The dashboard as an object, from fleet.json's services. */
export function buildDashboard(fleet) {
  let id = 0;
  let y = 0;
  const panels = [];
  const row = (title) => {
    panels.push({ type: 'row', id: ++id, title, collapsed: false, gridPos: { h: 1, w: 24, x: 0, y }, panels: [] });
    y += 1;
  };
  let x = 0;
  const panel = (title, unit, targets, { w = 8, description } = {}) => {
    if (x + w > 24) {
      x = 0;
      y += 8;
    }
    panels.push({
      type: 'timeseries',
      id: ++id,
      title,
      ...(description ? { description } : {}),
      datasource: { type: 'prometheus', uid: '${datasource}' },
      gridPos: { h: 8, w, x, y },
      fieldConfig: { defaults: { unit }, overrides: [] },
      options: { legend: { displayMode: 'list', placement: 'bottom' }, tooltip: { mode: 'multi' } },
      targets: targets.map(([expr, legendFormat], i) => ({ expr, legendFormat, refId: String.fromCharCode(65 + i) })),
    });
    x += w;
  };
  const endRow = () => {
    x = 0;
    y += 8;
  };

  row('Fleet overview');
  panel('Requests by service', 'reqps', [
    ['sum by (service) (rate(http_request_duration_seconds_count[5m]))', '{{service}} HTTP'],
    ['sum by (service) (rate(grpc_server_handling_seconds_count[5m]))', '{{service}} gRPC'],
  ]);
  panel('Error ratio by service', 'percentunit', [
    ['sum by (service) (rate(http_request_duration_seconds_count{status_code=~"5.."}[5m])) / sum by (service) (rate(http_request_duration_seconds_count[5m]))', '{{service}} HTTP 5xx'],
    [`sum by (service) (rate(grpc_server_handling_seconds_count{grpc_code=~"${GRPC_SERVER_ERRORS}"}[5m])) / sum by (service) (rate(grpc_server_handling_seconds_count[5m]))`, '{{service}} gRPC'],
  ]);
  panel('p99 latency by service', 's', [
    ['histogram_quantile(0.99, sum by (service, le) (rate(http_request_duration_seconds_bucket[5m])))', '{{service}} HTTP'],
    ['histogram_quantile(0.99, sum by (service, le) (rate(grpc_server_handling_seconds_bucket[5m])))', '{{service}} gRPC'],
  ]);
  panel('Outbox backlog', 'short', [['max by (service) (outbox_backlog)', '{{service}}']], { description: 'Unpublished outbox rows (every replica reports the same table: max).' });
  panel('Oldest unpublished outbox row', 's', [['max by (service) (outbox_oldest_unpublished_age_seconds)', '{{service}}']]);
  panel('Outbox events published', 'ops', [['sum by (service) (rate(outbox_published_total[5m]))', '{{service}}']]);
  panel('Consumer lag', 'short', [['sum by (service) (max by (service, topic, partition) (kafka_consumer_lag))', '{{service}}']]);
  panel('Dead letters', 'short', [
    ['max by (service) (kafka_dead_letter_backlog)', '{{service}} waiting in dlq'],
    ['sum by (service) (increase(kafka_consumer_dead_lettered_total[1h]))', '{{service}} dead-lettered (1h)'],
  ]);
  panel('Messages consumed', 'ops', [['sum by (service, outcome) (rate(kafka_consumer_messages_total[5m]))', '{{service}} {{outcome}}']]);
  panel('Saga outcomes', 'short', [['sum by (service, type, outcome) (increase(saga_outcomes_total[1h]))', '{{type}} {{outcome}}']]);
  panel('Sagas live and overdue', 'short', [
    ['max by (service, type) (saga_active)', '{{type}} live'],
    ['max by (service, type) (saga_overdue)', '{{type}} overdue'],
  ]);
  panel('Saga p95 duration', 's', [['histogram_quantile(0.95, sum by (type, outcome, le) (rate(saga_duration_seconds_bucket[30m])))', '{{type}} {{outcome}}']]);
  panel('Job queues', 'short', [['max by (queue, state) (job_queue_depth)', '{{queue}} {{state}}']]);
  panel('Oldest claimable job', 's', [['max by (queue) (job_oldest_due_age_seconds)', '{{queue}}']]);
  panel('Job p95 duration', 's', [['histogram_quantile(0.95, sum by (queue, le) (rate(job_duration_seconds_bucket[30m])))', '{{queue}}']]);
  endRow();

  for (const svc of fleet.services) {
    const s = `service="${svc.name}"`;
    row(`Service: ${svc.name}`);
    panel('HTTP requests by route', 'reqps', [[`sum by (route, status_code) (rate(http_request_duration_seconds_count{${s}}[5m]))`, '{{route}} {{status_code}}']]);
    panel('HTTP p99 by route', 's', [[`histogram_quantile(0.99, sum by (route, le) (rate(http_request_duration_seconds_bucket{${s}}[5m])))`, '{{route}}']]);
    if (svc.grpcPort) {
      panel('gRPC calls served by method', 'reqps', [[`sum by (grpc_method, grpc_code) (rate(grpc_server_handling_seconds_count{${s}}[5m]))`, '{{grpc_method}} {{grpc_code}}']]);
      panel('gRPC p99 by method', 's', [[`histogram_quantile(0.99, sum by (grpc_method, le) (rate(grpc_server_handling_seconds_bucket{${s}}[5m])))`, '{{grpc_method}}']]);
    }
    panel('gRPC calls made (p99 by peer method)', 's', [[`histogram_quantile(0.99, sum by (grpc_service, grpc_method, le) (rate(grpc_client_handling_seconds_bucket{${s}}[5m])))`, '{{grpc_service}}/{{grpc_method}}']]);
    if (svc.schema) {
      panel('Outbox backlog and oldest row', 'short', [
        [`max(outbox_backlog{${s}})`, 'backlog'],
        [`max(outbox_oldest_unpublished_age_seconds{${s}})`, 'oldest (s)'],
      ]);
      panel('Consumer lag by topic', 'short', [[`sum by (topic) (max by (topic, partition) (kafka_consumer_lag{${s}}))`, '{{topic}}']]);
      panel('Consumer handling p99 by topic', 's', [[`histogram_quantile(0.99, sum by (topic, le) (rate(kafka_consumer_handle_duration_seconds_bucket{${s}}[5m])))`, '{{topic}}']]);
    }
    panel('Memory and CPU', 'short', [
      [`sum by (pod) (process_resident_memory_bytes{${s}}) / 1048576`, '{{pod}} RSS MiB'],
      [`sum by (pod) (rate(process_cpu_seconds_total{${s}}[5m]))`, '{{pod}} CPU'],
    ]);
    endRow();
  }

  return {
    uid: 'storytelling-fleet',
    title: 'Storytelling fleet',
    description: 'Generated by scripts/gen-dashboard.mjs from fleet.json; metrics in docs/observability.md#metrics.',
    tags: ['storytelling'],
    editable: false,
    schemaVersion: 39,
    version: 1,
    refresh: '30s',
    time: { from: 'now-6h', to: 'now' },
    templating: { list: [{ name: 'datasource', type: 'datasource', query: 'prometheus', label: 'Data source', current: {} }] },
    annotations: { list: [] },
    panels,
  };
}

export function dashboardText(fleet) {
  return `${JSON.stringify(buildDashboard(fleet), null, 2)}\n`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const fleet = JSON.parse(readFileSync(join(ROOT, 'fleet.json'), 'utf8'));
  const text = dashboardText(fleet);
  if (process.argv.includes('--check')) {
    if (readFileSync(DASHBOARD_FILE, 'utf8') !== text) {
      console.error(`${DASHBOARD_FILE} is stale: run node scripts/gen-dashboard.mjs`);
      process.exit(1);
    }
  } else {
    writeFileSync(DASHBOARD_FILE, text);
    console.log(`wrote ${DASHBOARD_FILE.replace(`${ROOT}/`, '')}`);
  }
}
