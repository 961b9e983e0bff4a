#!/usr/bin/env node
// npm run deploy:check — validates every deployment file offline (docs/deployment.md,
// docs/adr/0002-deployment-validation-offline.md).
//
//   node scripts/deploy-check.mjs               self-test, then all checks
//   node scripts/deploy-check.mjs --self-test   only the self-test (each validator must reject a broken input)
//   node scripts/deploy-check.mjs --no-self-test
//
// First run on a fresh machine builds helm, kubectl-validate and scripts/deploy/lint with Go and
// fetches the operator CRDs into .tools/ (minutes); later runs reuse them (seconds).
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkCompose, checkDockerfiles, checkDockerignore, checkPlatform, checkRendered, checkSkaffold, checkValues } from './deploy/checks.mjs';
import { checkObservability, registeredMetrics } from './deploy/observability.mjs';
import { makeRunners } from './deploy/runners.mjs';
import { selfTest } from './deploy/self-test.mjs';
import { HELM_KUBE_VERSION, KUBE_VERSIONS, PINS, ensureTools } from './deploy/tools.mjs';
import { dashboardText, DASHBOARD_FILE } from './gen-dashboard.mjs';
import { PYTHON_REQUIREMENTS } from './lib/media-tools.mjs';
import { MEDIA_SERVICES } from './lib/service-env.mjs';
import { PINNED_MAJOR, PINNED_NODE } from './lib/node-runtime.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CHART = join(ROOT, 'helm/storytelling');
const CHECK_VALUES = join(CHART, 'ci/check-values.yaml');
const flags = new Set(process.argv.slice(2));
const localNode = { version: PINNED_NODE.version, major: PINNED_MAJOR };
const started = Date.now();
const secs = (t) => `${((Date.now() - t) / 1000).toFixed(1)}s`;
const rel = (f) => f.replace(`${ROOT}/`, '');

/** Files under dir (recursively) whose name ends with ext. */
function filesUnder(dir, ext) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith(ext))
    .map((e) => join(e.parentPath ?? e.path, e.name));
}

/** Services whose code runs the audio tools (calls locateMediaTools): their images need MEDIA_TOOLS=true. */
function mediaToolServicesOf(fleet) {
  return fleet.services
    .map((s) => s.name)
    .filter((name) => filesUnder(join(ROOT, 'services', name, 'src'), '.ts').some((f) => /\blocateMediaTools\(/.test(readFileSync(f, 'utf8'))));
}

/** Every Kafka topic the contracts name (`topic: "…"` in the proto event/command options). */
function contractTopicsOf() {
  const topics = new Set();
  for (const f of filesUnder(join(ROOT, 'proto'), '.proto')) {
    for (const m of readFileSync(f, 'utf8').matchAll(/^\s*topic:\s*"([^"]+)"/gm)) topics.add(m[1]);
  }
  return [...topics].sort();
}

/** The image installs Piper with the pins the local venv uses (moto is for tests only). */
const PIPER_REQUIREMENTS = PYTHON_REQUIREMENTS.filter((r) => !/^moto\b/.test(r));

const sections = [];
const warnings = [];
function section(name, problems, detail) {
  sections.push({ name, problems, detail });
  console.log(`${problems.length ? '✗' : '✓'} ${name}${detail ? ` — ${detail}` : ''}`);
  for (const p of problems) console.log(`    ${p}`);
}

async function main() {
  for (const f of flags) {
    if (!['--self-test', '--no-self-test'].includes(f)) throw new Error(`unknown option ${f}`);
  }
  console.log('deploy:check — offline validation of Dockerfiles, compose, helm chart, k8s/ and skaffold');
  const t = Date.now();
  const tools = await ensureTools(ROOT, (m) => console.log(`  · ${m}`));
  const strimzi = tools.strimziFallback ? 'Strimzi FALLBACK schemas' : `Strimzi ${PINS.strimzi}`;
  console.log(`  · tools ready (${secs(t)}): helm ${PINS.helm}, kubectl-validate (Kubernetes ${KUBE_VERSIONS.join(' and ')} schemas), CRDs CloudNativePG ${PINS.cnpg} + ${strimzi} + prometheus-operator ${PINS.prometheusOperator}, skaffold ${PINS.skaffoldSchema} schema`);
  for (const w of tools.warnings) console.log(`  ! WARNING: ${w}`);
  warnings.push(...tools.warnings);

  const tmp = mkdtempSync(join(tmpdir(), 'deploy-check-'));
  try {
    const r = makeRunners(tools, tmp);
    const fleet = JSON.parse(readFileSync(join(ROOT, 'fleet.json'), 'utf8'));
    const exists = (p) => existsSync(join(ROOT, p));
    const mediaToolServices = mediaToolServicesOf(fleet);
    const contractTopics = contractTopicsOf();
    const mediaServices = MEDIA_SERVICES;

    // ---- inputs, parsed once --------------------------------------------------------------
    const [values] = await r.yaml(join(CHART, 'values.yaml'));
    const [checkValuesDoc] = await r.yaml(CHECK_VALUES);
    const dockerfiles = {};
    const dockerfilePaths = fleet.services.map((s) => `services/${s.name}/Dockerfile`).filter(exists);
    const lints = dockerfilePaths.length ? await r.dockerfiles(dockerfilePaths.map((p) => join(ROOT, p))) : [];
    for (const lint of lints) {
      const name = rel(lint.file).split('/')[1];
      dockerfiles[name] = { text: readFileSync(lint.file, 'utf8'), lint };
    }
    const compose = exists('docker-compose.yaml') ? await r.compose(join(ROOT, 'docker-compose.yaml')) : { error: 'docker-compose.yaml is missing' };
    const k8sFiles = readdirSync(join(ROOT, 'k8s')).filter((f) => /\.ya?ml$/.test(f)).sort();
    const k8s = {};
    for (const f of k8sFiles) k8s[f] = await r.yaml(join(ROOT, 'k8s', f));
    const kustomizationFiles = k8sFiles.filter((f) => !['kustomization.yaml', 'secrets.example.yaml'].includes(f));
    const [skaffold] = exists('skaffold.yaml') ? await r.yaml(join(ROOT, 'skaffold.yaml')) : [];
    const defaultRender = await r.helmTemplate(CHART);
    const checkRender = await r.helmTemplate(CHART, [CHECK_VALUES]);
    const rendered = defaultRender.ok ? await r.yaml(defaultRender.file) : [];
    const renderedCheck = checkRender.ok ? await r.yaml(checkRender.file) : [];
    const valuesCheck = mergeValues(values, checkValuesDoc);
    const registered = registeredMetrics(ROOT);
    const operationsDoc = exists('docs/operations.md') ? readFileSync(join(ROOT, 'docs/operations.md'), 'utf8') : null;
    const dashboardStale = !exists(rel(DASHBOARD_FILE)) || readFileSync(DASHBOARD_FILE, 'utf8') !== dashboardText(fleet);

    // ---- self-test -------------------------------------------------------------------------
    if (!flags.has('--no-self-test')) {
      const t0 = Date.now();
      const inputs = { values, valuesCheck, renderedCheck, registered, operationsDoc, composeProject: compose.project, dockerfiles, skaffold, skaffoldSchema: tools.skaffoldSchema, k8s, kustomizationFiles, rendered, exists, mediaToolServices, piperRequirements: PIPER_REQUIREMENTS, contractTopics, mediaServices, localNode };
      if (!compose.project || !dockerfiles.identity || !skaffold || !rendered.length) {
        section('self-test', ['cannot run: the real compose file, identity Dockerfile, skaffold.yaml and chart must load first (see the errors below)']);
      } else {
        const res = await selfTest({ root: ROOT, fleet, runners: r, inputs });
        section('self-test', res.failed, `${res.total - res.failed.length}/${res.total} deliberately broken inputs rejected (${secs(t0)})`);
      }
      if (flags.has('--self-test')) return;
    }

    // ---- Dockerfiles -------------------------------------------------------------------------
    const dockerProblems = [
      ...checkDockerfiles({ fleet, dockerfiles, mediaToolServices, piperRequirements: PIPER_REQUIREMENTS, localNode }),
      ...checkDockerignore(exists('.dockerignore') ? readFileSync(join(ROOT, '.dockerignore'), 'utf8') : null),
    ];
    section('Dockerfiles', dockerProblems, `${Object.keys(dockerfiles).length} parsed by BuildKit (build checks, image config), same shape, ports = fleet.json, non-root, node dist/src/main.js, Node ${PINNED_MAJOR} like local runs (${PINNED_NODE.version}), MEDIA_TOOLS=true for ${mediaToolServices.join(', ') || 'none'} (${PIPER_REQUIREMENTS.join(' ')})`);

    // ---- compose -----------------------------------------------------------------------------
    const composeProblems = compose.error ? [`docker-compose.yaml: ${compose.error}`] : checkCompose({ fleet, project: compose.project, values, mediaServices });
    section('docker-compose.yaml', composeProblems, compose.project ? `Compose Specification loader OK; ${Object.keys(compose.project.services).length} services, migrate one-shots, healthchecks, env, Postgres roles, one media store, service-token hashes` : '');

    // ---- helm ----------------------------------------------------------------------------------
    const helmProblems = [...checkValues({ fleet, values, mediaServices })];
    for (const [label, files] of [['default values', []], ['ci/check-values.yaml', [CHECK_VALUES]]]) {
      const lint = await r.helmLint(CHART, files);
      if (!lint.ok) helmProblems.push(`helm lint --strict (${label}):\n      ${lint.error.replace(/\n/g, '\n      ')}`);
    }
    let renderedCount = 0;
    for (const [label, render, objects, valuesDoc] of [
      ['default values', defaultRender, rendered, values],
      ['ci/check-values.yaml', checkRender, renderedCheck, valuesCheck],
    ]) {
      if (!render.ok) {
        helmProblems.push(`helm template (${label}) failed:\n      ${render.error}`);
        continue;
      }
      renderedCount += objects.length;
      for (const v of KUBE_VERSIONS) {
        // With the CRDs: the monitoring objects are prometheus-operator kinds.
        const res = await r.kubectlValidate([render.file], v, true);
        for (const f of res.failures) helmProblems.push(`kubectl-validate ${v} (${label}): ${f.replace(/^[^#]*#/, 'document ')}`);
      }
      helmProblems.push(...checkRendered({ fleet, values: valuesDoc, objects, label }));
      helmProblems.push(...checkObservability({ values: valuesDoc, objects, label, registered, operationsDoc }));
    }
    if (dashboardStale) helmProblems.push(...checkObservability({ values: { monitoring: {} }, objects: [], label: 'dashboard', registered, operationsDoc, dashboardStale }));
    section('helm chart', helmProblems, `lint --strict ×2, template --kube-version ${HELM_KUBE_VERSION} ×2 → ${renderedCount} objects valid against Kubernetes ${KUBE_VERSIONS.join(' and ')}; values ↔ fleet.json; ServiceMonitor/PrometheusRule off and on, ${registered.size} registered metrics ↔ dashboard and alerts, runbook entries`);

    // ---- k8s/ ----------------------------------------------------------------------------------
    const k8sProblems = [];
    const validatable = k8sFiles.filter((f) => f !== 'kustomization.yaml').map((f) => join(ROOT, 'k8s', f));
    let k8sCount = 0;
    for (const v of KUBE_VERSIONS) {
      const res = await r.kubectlValidate(validatable, v, true);
      k8sCount = res.count;
      for (const f of res.failures) k8sProblems.push(`kubectl-validate ${v}: ${rel(f)}`);
    }
    k8sProblems.push(...checkPlatform({ fleet, values, k8s, kustomizationFiles, rendered, contractTopics }));
    section('k8s/', k8sProblems, `${k8sCount} objects in ${validatable.length} files valid against Kubernetes ${KUBE_VERSIONS.join(' and ')} + CloudNativePG/${tools.strimziFallback ? 'Strimzi FALLBACK' : 'Strimzi'} CRDs; roles, schemas, topics (${contractTopics.length} from proto/), secrets, media egress, ingress ↔ chart`);

    // ---- skaffold ----------------------------------------------------------------------------
    const skProblems = [];
    if (skaffold) {
      for (const f of await r.jsonschema(tools.skaffoldSchema, [join(ROOT, 'skaffold.yaml')])) skProblems.push(`skaffold.yaml: schema ${PINS.skaffoldSchema}: ${f.error}`);
    }
    skProblems.push(...checkSkaffold({ fleet, skaffold, exists, apiVersion: `skaffold/${PINS.skaffoldSchema}` }));
    section('skaffold.yaml', skProblems, `valid against the skaffold ${PINS.skaffoldSchema} JSON schema; one artifact per fleet service, chart path, image value templates`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** Helm-style merge of a values overlay onto the chart's values (maps merge, everything else replaces). */
function mergeValues(base, overlay) {
  if (overlay === null || typeof overlay !== 'object' || Array.isArray(overlay)) return overlay === undefined ? base : overlay;
  const out = { ...(base ?? {}) };
  for (const [k, v] of Object.entries(overlay)) {
    out[k] = v !== null && typeof v === 'object' && !Array.isArray(v) && base && typeof base[k] === 'object' ? mergeValues(base[k], v) : v;
  }
  return out;
}

main()
  .then(() => {
    const failed = sections.filter((s) => s.problems.length);
    const count = sections.reduce((n, s) => n + s.problems.length, 0);
    if (failed.length) {
      console.log(`\ndeploy:check FAILED: ${count} problem(s) in ${failed.map((s) => s.name).join(', ')} (${secs(started)})`);
      process.exit(1);
    }
    console.log(`\ndeploy:check OK (${secs(started)})${warnings.length ? ` with ${warnings.length} warning(s) above` : ''}`);
  })
  .catch((err) => {
    console.error(`\ndeploy:check could not run: ${err.message}`);
    process.exit(2);
  });
