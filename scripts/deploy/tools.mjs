// Tools and schemas that deploy-check needs, fetched from package registries only (Go module
// proxy, Maven Central) into .tools/ (git-ignored) and reused while their pinned version is
// unchanged. Nothing fetched here is ever committed.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync, copyFileSync, chmodSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';

export const PINS = {
  // Helm v3: the newest v3 release on the Go proxy that builds with the Go installed here.
  helm: 'v3.22.0',
  // kubectl-validate has no release after v0.0.4 (which embeds schemas only up to 1.30); this
  // main-branch commit embeds the OpenAPI schemas of Kubernetes 1.23–1.35.
  kubectlValidate: 'v0.0.5-0.20260105161640-a97ccfaca20b',
  // CRDs of the operators the k8s/ objects are written for.
  cnpg: 'v1.30.1',
  strimzi: '1.2.0',
  // ServiceMonitor and PrometheusRule, from the operator's Go module (example/prometheus-operator-crd).
  prometheusOperator: 'v0.85.0',
  // Skaffold cannot be built with `go install`; its module still carries the JSON schemas.
  skaffold: 'v2.16.1',
  skaffoldSchema: 'v4beta13',
};

/** Kubernetes versions every object is validated against: the chart's floor and the newest schema kubectl-validate embeds. */
export const KUBE_VERSIONS = ['1.31', '1.35'];
/** Version passed to helm (template/lint); must be the chart's floor. */
export const HELM_KUBE_VERSION = KUBE_VERSIONS[0];

export function run(cmd, args, opts = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: { ...process.env, ...(opts.env ?? {}) }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', (err) => reject(new Error(`${cmd}: ${err.message}`)));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function mustRun(cmd, args, opts) {
  const r = await run(cmd, args, opts);
  if (r.code !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} failed (exit ${r.code}):\n${(r.stderr || r.stdout).trim().split('\n').slice(-15).join('\n')}`);
  }
  return r;
}

function stampOk(file, want) {
  return existsSync(file) && readFileSync(file, 'utf8').trim() === want;
}

async function goInstall(toolsBin, pkg, version, ldflags = '') {
  const args = ['install', '-trimpath'];
  if (ldflags) args.push(`-ldflags=${ldflags}`);
  args.push(`${pkg}@${version}`);
  await mustRun('go', args, { env: { GOBIN: toolsBin, GOFLAGS: '-buildvcs=false' } });
}

/** helm and kubectl-validate binaries. */
async function ensureGoTools(toolsBin, log) {
  const jobs = [];
  const helm = join(toolsBin, 'helm');
  if (!stampOk(`${helm}.version`, PINS.helm) || !existsSync(helm)) {
    jobs.push((async () => {
      const t = Date.now();
      log(`installing helm ${PINS.helm} (go install, slow the first time)`);
      await goInstall(toolsBin, 'helm.sh/helm/v3/cmd/helm', PINS.helm, `-s -w -X helm.sh/helm/v3/internal/version.version=${PINS.helm}`);
      writeFileSync(`${helm}.version`, PINS.helm);
      log(`helm installed in ${((Date.now() - t) / 1000).toFixed(0)}s`);
    })());
  }
  const kv = join(toolsBin, 'kubectl-validate');
  if (!stampOk(`${kv}.version`, PINS.kubectlValidate) || !existsSync(kv)) {
    jobs.push((async () => {
      const t = Date.now();
      log(`installing kubectl-validate ${PINS.kubectlValidate} (go install, slow the first time)`);
      await goInstall(toolsBin, 'sigs.k8s.io/kubectl-validate', PINS.kubectlValidate, '-s -w');
      writeFileSync(`${kv}.version`, PINS.kubectlValidate);
      log(`kubectl-validate installed in ${((Date.now() - t) / 1000).toFixed(0)}s`);
    })());
  }
  await Promise.all(jobs);
  return { helm, kubectlValidate: kv };
}

/** The repository's own Go helper (scripts/deploy/lint), rebuilt when its sources change. */
async function ensureDeployLint(root, toolsBin, log) {
  const src = join(root, 'scripts/deploy/lint');
  const hash = createHash('sha256');
  for (const f of readdirSync(src).filter((f) => /\.(go|mod|sum)$/.test(f)).sort()) {
    hash.update(f).update(readFileSync(join(src, f)));
  }
  const want = hash.digest('hex');
  const bin = join(toolsBin, 'deploy-lint');
  if (!stampOk(`${bin}.sha256`, want) || !existsSync(bin)) {
    const t = Date.now();
    log('building scripts/deploy/lint (BuildKit, compose-go, jsonschema; slow the first time)');
    await mustRun('go', ['build', '-trimpath', '-ldflags=-s -w', '-o', bin, '.'], { cwd: src, env: { GOFLAGS: '-buildvcs=false' } });
    writeFileSync(`${bin}.sha256`, want);
    log(`deploy-lint built in ${((Date.now() - t) / 1000).toFixed(0)}s`);
  }
  return bin;
}

async function goModDir(mod) {
  const r = await mustRun('go', ['mod', 'download', '-json', mod], { env: { GOFLAGS: '-mod=mod' } });
  const info = JSON.parse(r.stdout);
  if (info.Error) throw new Error(`go mod download ${mod}: ${info.Error}`);
  return info.Dir;
}

/** CloudNativePG CRDs from the operator's Go module (config/crd/bases). */
async function ensureCnpgCrds(crdRoot, log) {
  const dir = join(crdRoot, `cnpg-${PINS.cnpg}`);
  if (stampOk(join(dir, '.complete'), PINS.cnpg)) return dir;
  log(`fetching CloudNativePG ${PINS.cnpg} CRDs (Go module proxy)`);
  const modDir = await goModDir(`github.com/cloudnative-pg/cloudnative-pg@${PINS.cnpg}`);
  const bases = join(modDir, 'config/crd/bases');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const f of readdirSync(bases).filter((f) => f.endsWith('.yaml'))) {
    copyFileSync(join(bases, f), join(dir, f));
    chmodSync(join(dir, f), 0o644);
  }
  writeFileSync(join(dir, '.complete'), PINS.cnpg);
  return dir;
}

/** The prometheus-operator CRDs the chart's monitoring objects use, from the operator's Go module. */
const PROMETHEUS_OPERATOR_CRDS = ['monitoring.coreos.com_servicemonitors.yaml', 'monitoring.coreos.com_prometheusrules.yaml'];
async function ensurePrometheusOperatorCrds(crdRoot, log) {
  const dir = join(crdRoot, `prometheus-operator-${PINS.prometheusOperator}`);
  if (stampOk(join(dir, '.complete'), PINS.prometheusOperator)) return dir;
  log(`fetching prometheus-operator ${PINS.prometheusOperator} CRDs (Go module proxy)`);
  const modDir = await goModDir(`github.com/prometheus-operator/prometheus-operator@${PINS.prometheusOperator}`);
  const src = join(modDir, 'example/prometheus-operator-crd');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const f of PROMETHEUS_OPERATOR_CRDS) {
    copyFileSync(join(src, f), join(dir, f));
    chmodSync(join(dir, f), 0o644);
  }
  writeFileSync(join(dir, '.complete'), PINS.prometheusOperator);
  return dir;
}

async function findJava21() {
  const candidates = [];
  if (process.env.JAVA_HOME) candidates.push(join(process.env.JAVA_HOME, 'bin/java'));
  candidates.push('java');
  if (existsSync('/usr/lib/jvm')) {
    for (const d of readdirSync('/usr/lib/jvm')) candidates.push(join('/usr/lib/jvm', d, 'bin/java'));
  }
  for (const java of candidates) {
    const r = await run(java, ['-version']).catch(() => null);
    const m = r && /version "(\d+)/.exec(r.stderr);
    if (m && Number(m[1]) >= 21) return java;
  }
  return null;
}

/**
 * Strimzi CRDs. Strimzi publishes no CRD files to a registry, but Maven Central has its API model
 * (io.strimzi:api) and the generator that produces the released CRDs from it
 * (io.strimzi:crd-generator); run that generator here. Needs Maven and Java 21+.
 */
async function ensureStrimziCrds(root, toolsDir, crdRoot, log, warn) {
  const dir = join(crdRoot, `strimzi-${PINS.strimzi}`);
  const fallback = (why) => {
    warn(`Strimzi CRs are validated against the hand-written FALLBACK schemas in scripts/deploy/fallback-crds/ (only the fields k8s/kafka.yaml uses), not Strimzi's own CRDs: ${why}`);
    return join(root, 'scripts/deploy/fallback-crds');
  };
  if (process.env.DEPLOY_CHECK_STRIMZI_FALLBACK === '1') return fallback('DEPLOY_CHECK_STRIMZI_FALLBACK=1');
  if (stampOk(join(dir, '.complete'), PINS.strimzi)) return dir;
  const java = await findJava21();
  if (!java) return fallback('no Java 21+ found (JAVA_HOME, PATH, /usr/lib/jvm) to run the Strimzi CRD generator');
  const mvn = await run('mvn', ['--version']).catch(() => null);
  if (!mvn || mvn.code !== 0) return fallback('Maven (mvn) not found to fetch io.strimzi:api and io.strimzi:crd-generator');
  log(`generating Strimzi ${PINS.strimzi} CRDs (Maven Central: io.strimzi:api + io.strimzi:crd-generator)`);
  const work = join(toolsDir, 'strimzi-crdgen');
  mkdirSync(work, { recursive: true });
  const dep = (a) => `<dependency><groupId>io.strimzi</groupId><artifactId>${a}</artifactId><version>${PINS.strimzi}</version></dependency>`;
  writeFileSync(join(work, 'pom.xml'), `<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.storytelling</groupId><artifactId>strimzi-crdgen</artifactId><version>0</version><packaging>pom</packaging>
  <dependencies>${dep('api')}${dep('crd-generator')}${dep('crd-annotations')}</dependencies>
</project>
`);
  await mustRun('mvn', ['-q', '-B', 'dependency:build-classpath', '-Dmdep.outputFile=classpath.txt'], { cwd: work });
  const cp = readFileSync(join(work, 'classpath.txt'), 'utf8').trim();
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const kinds = {
    'io.strimzi.api.kafka.model.kafka.Kafka': 'kafka',
    'io.strimzi.api.kafka.model.nodepool.KafkaNodePool': 'kafkanodepool',
    'io.strimzi.api.kafka.model.topic.KafkaTopic': 'kafkatopic',
    'io.strimzi.api.kafka.model.user.KafkaUser': 'kafkauser',
  };
  const args = ['-cp', cp, 'io.strimzi.crdgenerator.CrdGenerator', '--yaml', '--crd-api-version', 'v1', '--api-versions', 'v1', '--storage-version', 'v1'];
  for (const [cls, name] of Object.entries(kinds)) args.push(`${cls}=${join(dir, `${name}.yaml`)}`);
  await mustRun(java, args, { cwd: work });
  for (const name of Object.values(kinds)) {
    if (!existsSync(join(dir, `${name}.yaml`))) throw new Error(`Strimzi CRD generator wrote no ${name}.yaml`);
  }
  writeFileSync(join(dir, '.complete'), PINS.strimzi);
  return dir;
}

/** Skaffold's published JSON schema for the apiVersion skaffold.yaml uses. */
async function ensureSkaffoldSchema(toolsDir, log) {
  const file = join(toolsDir, 'schemas', `skaffold-${PINS.skaffoldSchema}.json`);
  if (existsSync(file) && stampOk(`${file}.version`, PINS.skaffold)) return file;
  log(`fetching the skaffold ${PINS.skaffoldSchema} JSON schema (skaffold ${PINS.skaffold} Go module)`);
  const modDir = await goModDir(`github.com/GoogleContainerTools/skaffold/v2@${PINS.skaffold}`);
  mkdirSync(join(toolsDir, 'schemas'), { recursive: true });
  copyFileSync(join(modDir, 'docs-v2/content/en/schemas', `${PINS.skaffoldSchema}.json`), file);
  chmodSync(file, 0o644);
  writeFileSync(`${file}.version`, PINS.skaffold);
  return file;
}

/**
 * Serialises tool installation between concurrent runs (npm test and a developer's deploy:check on
 * one machine): a directory lock with the holder's pid; a lock whose process is gone is taken over.
 */
async function withInstallLock(toolsDir, log, fn) {
  const lock = join(toolsDir, '.deploy-check.lock');
  let announced = false;
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, 'pid'), String(process.pid));
      break;
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
      const pid = Number(existsSync(join(lock, 'pid')) ? readFileSync(join(lock, 'pid'), 'utf8') : NaN);
      let alive = false;
      try {
        alive = Number.isInteger(pid) && pid > 0 && process.kill(pid, 0);
      } catch {
        alive = false;
      }
      const abandoned = !Number.isInteger(pid) && Date.now() - statSync(lock).mtimeMs > 30_000;
      if ((!alive && Number.isInteger(pid)) || abandoned) {
        rmSync(lock, { recursive: true, force: true });
        continue;
      }
      if (!announced) log(`waiting for another deploy:check (pid ${Number.isInteger(pid) ? pid : '?'}) to finish installing tools`);
      announced = true;
      await sleep(2000);
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

export async function ensureTools(root, log) {
  const toolsDir = join(root, '.tools');
  mkdirSync(toolsDir, { recursive: true });
  return withInstallLock(toolsDir, log, () => installTools(root, toolsDir, log));
}

async function installTools(root, toolsDir, log) {
  const warnings = [];
  const warn = (m) => warnings.push(m);
  const toolsBin = join(toolsDir, 'bin');
  const crdRoot = join(toolsDir, 'crds');
  mkdirSync(toolsBin, { recursive: true });
  mkdirSync(crdRoot, { recursive: true });
  const go = await run('go', ['version']).catch(() => null);
  if (!go || go.code !== 0) throw new Error('Go is required to build helm, kubectl-validate and scripts/deploy/lint (https://go.dev/dl/)');
  // The Go builds saturate the CPU; fetch the CRDs and schemas alongside them.
  const [goTools, deployLint, cnpgCrds, strimziCrds, skaffoldSchema, prometheusCrds] = await Promise.all([
    ensureGoTools(toolsBin, log),
    ensureDeployLint(root, toolsBin, log),
    ensureCnpgCrds(crdRoot, log),
    ensureStrimziCrds(root, toolsDir, crdRoot, log, warn),
    ensureSkaffoldSchema(toolsDir, log),
    ensurePrometheusOperatorCrds(crdRoot, log),
  ]);
  return { ...goTools, deployLint, crdDirs: [cnpgCrds, strimziCrds, prometheusCrds], skaffoldSchema, warnings, strimziFallback: !strimziCrds.startsWith(crdRoot) };
}
