// deploy:check's observability rules: the chart's dashboard and alerts use only metrics the code
// registers, every alert has a runbook entry in docs/operations.md that its runbook_url points at,
// the dashboard file is what scripts/gen-dashboard.mjs writes, and the monitoring objects are
// rendered exactly when their values switch them on.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** prom-client's collectDefaultMetrics (every service calls it): names by prefix. */
const DEFAULT_METRIC_PREFIXES = ['process_', 'nodejs_'];
const HISTOGRAM_SERIES = ['_bucket', '_sum', '_count'];
const PROMQL_WORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'and', 'or', 'unless', 'bool', 'offset', 'inf', 'nan']);

function tsFilesUnder(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.d.ts'))
    .map((e) => join(e.parentPath ?? e.path, e.name));
}

/**
 * Metric names the code registers: `histogram('…'`, `scrapeGauge('…'`, `once('…'` (the platform's
 * helpers) and `new Counter|Gauge|Histogram|Summary({ name: '…'` in shared/*\/src and services/*\/src.
 * Histograms map to their kind so their _bucket/_sum/_count series are known.
 */
export function registeredMetrics(root) {
  const files = [];
  for (const top of ['shared', 'services']) {
    const base = join(root, top);
    if (!existsSync(base)) continue;
    for (const pkg of readdirSync(base)) files.push(...tsFilesUnder(join(base, pkg, 'src')));
  }
  const metrics = new Map();
  for (const f of files) {
    const text = readFileSync(f, 'utf8');
    for (const m of text.matchAll(/\bhistogram\(\s*'([a-zA-Z_:][\w:]*)'/g)) metrics.set(m[1], 'histogram');
    for (const m of text.matchAll(/\bscrapeGauge\(\s*'([a-zA-Z_:][\w:]*)'/g)) metrics.set(m[1], 'gauge');
    for (const m of text.matchAll(/new\s+(?:promClient\.)?(Counter|Gauge|Histogram|Summary)(?:<[^>]*>)?\(\{\s*name:\s*'([a-zA-Z_:][\w:]*)'/g)) {
      metrics.set(m[2], m[1].toLowerCase());
    }
  }
  return metrics;
}

/** Metric names a PromQL expression reads (labels, strings, durations, functions and keywords removed). */
export function metricsOf(expr) {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names = new Set();
  for (const m of stripped.matchAll(/[a-zA-Z_:][\w:]*(\s*\()?/g)) {
    if (m[1]) continue; // a function call
    const word = m[0];
    if (PROMQL_WORDS.has(word.toLowerCase()) || /^\d/.test(word)) continue;
    names.add(word);
  }
  return [...names];
}

/** Whether `name` is a series of a registered metric (a histogram's _bucket/_sum/_count included). */
export function isRegistered(name, registered) {
  if (DEFAULT_METRIC_PREFIXES.some((p) => name.startsWith(p))) return true;
  if (registered.has(name)) return true;
  const suffix = HISTOGRAM_SERIES.find((s) => name.endsWith(s));
  if (!suffix) return false;
  const kind = registered.get(name.slice(0, -suffix.length));
  return kind === 'histogram' || (kind === 'summary' && suffix !== '_bucket');
}

/** GitHub's anchor of a markdown heading. */
export function headingAnchor(heading) {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** Every expression of a Grafana dashboard (panels and rows' nested panels). */
export function dashboardExprs(dashboard) {
  const exprs = [];
  const walk = (panels = []) => {
    for (const p of panels) {
      for (const t of p.targets ?? []) if (t.expr) exprs.push({ where: `panel "${p.title}"`, expr: t.expr });
      walk(p.panels);
    }
  };
  walk(dashboard.panels);
  return exprs;
}

/**
 * The rendered chart's monitoring objects against the code and the runbook.
 * `values`: the values the render used; `objects`: the rendered objects; `registered`: registeredMetrics();
 * `operationsDoc`: docs/operations.md's text (null when missing); `dashboardStale`: the generator's verdict.
 */
export function checkObservability({ values, objects, label, registered, operationsDoc, dashboardStale = false }) {
  const problems = [];
  const mon = values.monitoring ?? {};
  const services = Object.entries(values.services ?? {}).filter(([, s]) => s.enabled).map(([n]) => n);
  const ofKind = (kind) => objects.filter((o) => o?.kind === kind);

  const monitors = ofKind('ServiceMonitor');
  if (mon.serviceMonitor?.enabled) {
    for (const name of services) {
      const sm = monitors.find((o) => o.metadata?.labels?.['app.kubernetes.io/name'] === name);
      if (!sm) problems.push(`${label}: monitoring.serviceMonitor.enabled but service "${name}" has no ServiceMonitor`);
      else if (!(sm.spec?.endpoints ?? []).some((e) => e.port === 'http' && e.path === '/metrics')) problems.push(`${label}: ServiceMonitor ${sm.metadata.name} does not scrape /metrics on the port named http`);
    }
  } else if (monitors.length) problems.push(`${label}: ${monitors.length} ServiceMonitor(s) rendered while monitoring.serviceMonitor.enabled is false`);

  const rules = ofKind('PrometheusRule');
  if (!mon.prometheusRule?.enabled && rules.length) problems.push(`${label}: a PrometheusRule rendered while monitoring.prometheusRule.enabled is false`);
  if (mon.prometheusRule?.enabled && !rules.length) problems.push(`${label}: monitoring.prometheusRule.enabled but no PrometheusRule rendered`);
  const anchors = new Set(operationsDoc === null ? [] : [...operationsDoc.matchAll(/^#{2,4}\s+(.+)$/gm)].map((m) => headingAnchor(m[1])));
  if (rules.length && operationsDoc === null) problems.push('docs/operations.md is missing (every alert needs its runbook entry)');
  for (const rule of rules.flatMap((r) => (r.spec?.groups ?? []).flatMap((g) => g.rules ?? []))) {
    const name = rule.alert ?? rule.record;
    for (const metric of metricsOf(String(rule.expr))) {
      if (!isRegistered(metric, registered)) problems.push(`${label}: alert ${name} uses metric "${metric}", which no code registers`);
    }
    if (!rule.alert) continue;
    const url = rule.annotations?.runbook_url;
    const want = `${mon.runbookBaseUrl}#${rule.alert.toLowerCase()}`;
    if (url !== want) problems.push(`${label}: alert ${rule.alert} has runbook_url ${url ?? '(none)'}; expected ${want}`);
    if (operationsDoc !== null && !anchors.has(rule.alert.toLowerCase())) problems.push(`${label}: alert ${rule.alert} has no runbook entry in docs/operations.md (a heading "${rule.alert}")`);
  }

  const dashboards = ofKind('ConfigMap').filter((o) => o.metadata?.labels && Object.entries(mon.dashboard?.labels ?? {}).every(([k, v]) => o.metadata.labels[k] === v) && mon.dashboard?.enabled);
  if (mon.dashboard?.enabled && !dashboards.length) problems.push(`${label}: monitoring.dashboard.enabled but no ConfigMap carries the labels ${JSON.stringify(mon.dashboard.labels)}`);
  for (const cm of dashboards) {
    for (const [key, text] of Object.entries(cm.data ?? {})) {
      let dashboard;
      try {
        dashboard = JSON.parse(text);
      } catch (err) {
        problems.push(`${label}: ConfigMap ${cm.metadata.name} ${key} is not JSON: ${err.message}`);
        continue;
      }
      for (const { where, expr } of dashboardExprs(dashboard)) {
        for (const metric of metricsOf(expr)) {
          if (!isRegistered(metric, registered)) problems.push(`${label}: dashboard ${where} uses metric "${metric}", which no code registers`);
        }
      }
    }
  }
  if (dashboardStale) problems.push('helm/storytelling/dashboards/storytelling-fleet.json is not what scripts/gen-dashboard.mjs writes from fleet.json (run it)');
  return problems;
}
