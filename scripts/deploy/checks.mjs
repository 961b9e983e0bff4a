// Structural and cross-file checks of the deployment files. Every function is pure: it takes
// parsed inputs and returns a list of problems (strings), so the self-test can feed it broken
// copies of the real inputs and assert that each breakage is reported.

import { createHash } from 'node:crypto';

const grpcEnvName = (service) => `${service.toUpperCase().replace(/-/g, '_')}_GRPC_URL`;
const isObj = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Variables of the shared media store (docs/adr/0021): one store, so the same values everywhere. */
const MEDIA_STORE_VAR = /^(OBJECT_STORAGE|OBJECT_STORAGE_DIR|S3_[A-Z0-9_]+)$/;

/** The media store settings of an env map (and, for helm, its secretEnv refs) as comparable text. */
function mediaStoreSettings(env = {}, secretEnv = {}) {
  const entries = [
    ...Object.entries(env ?? {}).filter(([k]) => MEDIA_STORE_VAR.test(k)).map(([k, v]) => `${k}=${v}`),
    ...Object.entries(secretEnv ?? {}).filter(([k]) => MEDIA_STORE_VAR.test(k)).map(([k, r]) => `${k}=secret ${r?.secretName}/${r?.key}`),
  ];
  return entries.sort().join(', ');
}

/** The services that share the media store: the given ones first (in their order), then every other one whose env chooses a store. */
function mediaStoreServices(names, envOf, mediaServices = []) {
  const others = names.filter((n) => !mediaServices.includes(n) && envOf(n)?.OBJECT_STORAGE !== undefined);
  return [...mediaServices.filter((n) => names.includes(n)), ...others];
}

/** Problems when the services' media store settings differ (label: where, settingsOf: service → text). */
function sameMediaStore(where, services, settingsOf, hasStore) {
  const problems = [];
  for (const n of services) {
    if (!hasStore(n)) problems.push(`${where}: ${n} reads or writes media but sets no OBJECT_STORAGE (the media store is shared: docs/adr/0021)`);
  }
  const withStore = services.filter(hasStore);
  const [first, ...rest] = withStore;
  for (const n of rest) {
    if (settingsOf(n) !== settingsOf(first)) {
      problems.push(`${where}: ${n}'s media store settings differ from ${first}'s (one store for all: docs/adr/0021):\n      ${first}: ${settingsOf(first)}\n      ${n}: ${settingsOf(n)}`);
    }
  }
  return problems;
}

/** Env every fleet container gets (docs/conventions.md). */
function requiredEnv(svc) {
  const env = ['HOST', 'HTTP_PORT', 'KAFKA_BROKERS', 'LOG_LEVEL'];
  if (svc.grpcPort) env.push('GRPC_PORT');
  if (svc.schema) env.push('DATABASE_URL', 'DATABASE_SCHEMA');
  return env;
}

/** Env names a service's helm values add beyond the conventions (env, secretEnv, secretFiles[].env, peers). */
export function valuesEnvNames(entry) {
  if (!isObj(entry)) return [];
  const names = [
    ...Object.keys(entry.env ?? {}),
    ...Object.keys(entry.secretEnv ?? {}),
    ...(entry.secretFiles ?? []).map((f) => f.env).filter(Boolean),
    ...(entry.peers ?? []).map(grpcEnvName),
  ];
  return [...new Set(names)].sort();
}

// ---------------------------------------------------------------------------------------------
// fleet.json ↔ helm values

/**
 * @param mediaServices services that read or write media (scripts/lib/service-env.mjs MEDIA_SERVICES);
 *   with every service whose env sets OBJECT_STORAGE they must have the same store settings
 */
export function checkValues({ fleet, values, mediaServices = [] }) {
  const problems = [];
  const services = values?.services;
  if (!isObj(services)) return ['helm values: services must be a map of service name to settings'];
  const names = new Set(fleet.services.map((s) => s.name));
  for (const s of fleet.services) {
    const v = services[s.name];
    if (!isObj(v)) {
      problems.push(`helm values: fleet service "${s.name}" has no entry under services (helm/storytelling/values.yaml)`);
      continue;
    }
    if (v.enabled !== true) problems.push(`helm values: services.${s.name}.enabled must be true for a fleet service`);
    if (v.ports?.http !== s.httpPort) problems.push(`helm values: services.${s.name}.ports.http is ${v.ports?.http}, fleet.json says ${s.httpPort}`);
    if ((v.ports?.grpc ?? null) !== (s.grpcPort ?? null)) problems.push(`helm values: services.${s.name}.ports.grpc is ${v.ports?.grpc ?? 'unset'}, fleet.json says ${s.grpcPort ?? 'none'}`);
    const schema = v.database?.schema ?? null;
    if (schema !== (s.schema ?? null)) problems.push(`helm values: services.${s.name}.database.schema is ${schema ?? 'unset'}, fleet.json says ${s.schema ?? 'none'}`);
    if (Boolean(v.migrations) !== Boolean(s.schema)) problems.push(`helm values: services.${s.name}.migrations must be ${Boolean(s.schema)} (the service ${s.schema ? 'has' : 'has no'} schema)`);
    if (s.schema && (v.database?.user ?? schema) !== s.schema) problems.push(`helm values: services.${s.name}.database.user must be the schema's role "${s.schema}"`);
    for (const peer of v.peers ?? []) {
      if (!names.has(peer)) problems.push(`helm values: services.${s.name}.peers lists "${peer}", which is not in fleet.json`);
    }
  }
  for (const name of Object.keys(services)) {
    if (!names.has(name)) problems.push(`helm values: services.${name} is not in fleet.json`);
  }
  // One media store (docs/adr/0021): the same OBJECT_STORAGE, S3_* values and credentials.
  const enabled = fleet.services.map((f) => f.name).filter((n) => services[n]?.enabled);
  const media = mediaStoreServices(enabled, (n) => services[n]?.env, mediaServices);
  problems.push(
    ...sameMediaStore(
      'helm values',
      media,
      (n) => mediaStoreSettings(services[n].env, services[n].secretEnv),
      (n) => services[n].env?.OBJECT_STORAGE !== undefined,
    ),
  );
  // Service tokens (docs/adr/0016): a caller's secret is its own key of the Secret identity's
  // SERVICE_CREDENTIALS (the hashes) comes from.
  const credentials = Object.values(services).find((v) => v?.secretEnv?.SERVICE_CREDENTIALS)?.secretEnv.SERVICE_CREDENTIALS;
  for (const n of enabled) {
    const ref = services[n].secretEnv?.SERVICE_TOKEN_SECRET;
    if (!ref) continue;
    if (!credentials) problems.push(`helm values: services.${n} has SERVICE_TOKEN_SECRET but no service sets SERVICE_CREDENTIALS (identity) to verify it`);
    else if (ref.secretName !== credentials.secretName || ref.key !== n) {
      problems.push(`helm values: services.${n}.secretEnv.SERVICE_TOKEN_SECRET must be key "${n}" of Secret ${credentials.secretName} (got ${ref.secretName}/${ref.key}), where identity's SERVICE_CREDENTIALS lists its hash`);
    }
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// Dockerfiles

/** The per-service ARGs: their defaults, before the first FROM, are all that may differ. */
export const PER_SERVICE_ARGS = ['SERVICE', 'HTTP_PORT', 'GRPC_PORT', 'MEDIA_TOOLS'];
const SHAPE_ARG = new RegExp(`^ARG (${PER_SERVICE_ARGS.join('|')})=.*$`);
const SHAPE_COMMENT = /^# Build from the repository root: docker build -f services\/[^/]+\/Dockerfile \.$/;

/**
 * Dockerfile text with its per-service lines blanked: equal shapes mean "same file, other ARG
 * defaults". Only the global ARG defaults (before the first FROM) and the build comment count as
 * per-service: an `ARG MEDIA_TOOLS=true` inside a stage is a difference like any other.
 */
export function dockerfileShape(text) {
  let preamble = true;
  return text
    .split('\n')
    .map((l) => {
      if (/^FROM\s/i.test(l)) preamble = false;
      return (preamble && SHAPE_ARG.test(l)) || SHAPE_COMMENT.test(l) ? '<per-service>' : l;
    })
    .join('\n');
}

/** The Node major of an official image reference ("node:24.21.0-trixie-slim" → 24), else null. @param {string} image */
export function nodeImageMajor(image) {
  const match = /^(?:docker\.io\/)?(?:library\/)?node:(\d+)(?:[.\-]|$)/.exec(image);
  return match ? Number(match[1]) : null;
}

/** Where the images with MEDIA_TOOLS=true find Piper and its voice (ENV of the runtime stage). */
const PIPER_ENV = ['PIPER_PATH', 'PIPER_MODEL', 'PIPER_MODEL_CONFIG'];

/**
 * @param fleet fleet.json
 * @param dockerfiles { [service]: { text, lint } } where lint is deploy-lint's result or undefined when the file is missing
 * @param mediaToolServices when given, the services that run the audio tools (their src calls
 *   locateMediaTools): exactly these must build with MEDIA_TOOLS=true
 * @param piperRequirements when given, the pip pins the image must install (media-tools.mjs's
 *   PYTHON_REQUIREMENTS without the test-only ones)
 * @param localNode when given, the Node that local runs use ({ version, major }: scripts/lib/node-runtime.mjs):
 *   the images' ARG NODE_IMAGE must be that major, so npm test exercises the runtime that ships
 */
export function checkDockerfiles({ fleet, dockerfiles, mediaToolServices, piperRequirements, localNode }) {
  const problems = [];
  let referenceShape = null;
  let referenceName = null;
  for (const s of fleet.services) {
    const df = dockerfiles[s.name];
    const where = `services/${s.name}/Dockerfile`;
    if (!df) {
      problems.push(`${where}: missing (every fleet service needs one; copy services/${fleet.services[0].name}/Dockerfile and change its ARG defaults)`);
      continue;
    }
    const shape = dockerfileShape(df.text);
    if (referenceShape === null) {
      referenceShape = shape;
      referenceName = s.name;
    } else if (shape !== referenceShape) {
      problems.push(`${where}: differs from services/${referenceName}/Dockerfile in more than the ARG ${PER_SERVICE_ARGS.join('/')} defaults; keep every service's Dockerfile the same shape`);
    }
    if (piperRequirements) {
      for (const pin of piperRequirements) {
        if (!df.text.includes(` ${pin}`)) problems.push(`${where}: the media tools step must pip install ${pin} (scripts/lib/media-tools.mjs PYTHON_REQUIREMENTS)`);
      }
      if (!/--mount=type=bind,source=scripts\/lib\/media-tools\.constraints\.txt,target=(\S+)[\s\S]*-c \1 /.test(df.text)) {
        problems.push(`${where}: the media tools step must install with -c scripts/lib/media-tools.constraints.txt (bind-mounted), so every transitive package is pinned`);
      }
    }
    if (localNode) {
      const image = /^ARG NODE_IMAGE=(\S+)$/m.exec(df.text)?.[1];
      const major = image ? nodeImageMajor(image) : null;
      if (major !== localNode.major) {
        problems.push(`${where}: ARG NODE_IMAGE=${image ?? '(missing)'} is ${major === null ? 'not an official node:<version> image' : `Node ${major}`}, local runs use Node ${localNode.version} (scripts/lib/node-runtime.mjs PINNED_NODE); change both together`);
      }
    }
    const lint = df.lint;
    if (lint.error) {
      problems.push(`${where}: BuildKit rejects it: ${lint.error}`);
      continue;
    }
    for (const w of lint.warnings) problems.push(`${where}:${w.line}: BuildKit check ${w.rule}: ${w.message}`);
    if (lint.args.SERVICE !== s.name) problems.push(`${where}: ARG SERVICE=${lint.args.SERVICE ?? ''} must be ${s.name}`);
    if (lint.args.HTTP_PORT !== String(s.httpPort)) problems.push(`${where}: ARG HTTP_PORT=${lint.args.HTTP_PORT ?? ''} must be ${s.httpPort} (fleet.json)`);
    if ((lint.args.GRPC_PORT ?? '') !== (s.grpcPort ? String(s.grpcPort) : '')) problems.push(`${where}: ARG GRPC_PORT=${lint.args.GRPC_PORT ?? ''} must be ${s.grpcPort ?? 'empty'} (fleet.json)`);
    const media = lint.args.MEDIA_TOOLS;
    if (media !== '' && media !== 'true') problems.push(`${where}: ARG MEDIA_TOOLS=${media ?? '(missing)'} must be empty or true`);
    else if (mediaToolServices && (media === 'true') !== mediaToolServices.includes(s.name)) {
      problems.push(
        mediaToolServices.includes(s.name)
          ? `${where}: ARG MEDIA_TOOLS must be true: ${s.name} runs the audio tools (its src calls locateMediaTools), the image needs ffmpeg, espeak-ng and Piper`
          : `${where}: ARG MEDIA_TOOLS must be empty: ${s.name} does not run the audio tools (keep its image small)`,
      );
    }
    const img = lint.image;
    const want = [`${s.httpPort}/tcp`, ...(s.grpcPort ? [`${s.grpcPort}/tcp`] : [])].sort();
    const got = [...(img.exposedPorts ?? [])].sort();
    if (want.join() !== got.join()) problems.push(`${where}: image exposes ${got.join(', ') || 'nothing'}, fleet.json needs ${want.join(', ')}`);
    const user = (img.user ?? '').split(':')[0];
    if (!/^[0-9]+$/.test(user) || Number(user) === 0) problems.push(`${where}: the runtime stage must run as a numeric non-root USER (got "${img.user ?? ''}"), or runAsNonRoot cannot verify it`);
    if (JSON.stringify(img.cmd) !== JSON.stringify(['node', 'dist/src/main.js']) || (img.entrypoint ?? []).length > 0) {
      problems.push(`${where}: the image must start with CMD ["node", "dist/src/main.js"] and no ENTRYPOINT (got ${JSON.stringify(img.entrypoint ?? [])} ${JSON.stringify(img.cmd)})`);
    }
    const env = Object.fromEntries((img.env ?? []).map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]));
    if (env.NODE_ENV !== 'production') problems.push(`${where}: the runtime image must set NODE_ENV=production`);
    if (env.HOST !== '0.0.0.0') problems.push(`${where}: the runtime image must set HOST=0.0.0.0`);
    if (media === 'true') {
      for (const key of PIPER_ENV) {
        if (!String(env[key] ?? '').startsWith('/')) problems.push(`${where}: an image with MEDIA_TOOLS=true must set ${key} to an absolute path (locateMediaTools reads it)`);
      }
    }
    if (env.PROTO_PATH !== '/app/proto' || !/COPY --from=build \/repo\/proto\/ \/app\/proto\//.test(df.text)) {
      problems.push(`${where}: the runtime image must ship proto/ at /app/proto and set PROTO_PATH=/app/proto (gRPC loads the .proto files at runtime)`);
    }
    if (!/(^|\n)FROM [^\n]+ AS build\n/.test(df.text) || !/--legacy/.test(df.text) || !/deploy --prod/.test(df.text)) {
      problems.push(`${where}: the build stage must produce production dependencies only with "pnpm --filter … deploy --prod --legacy"`);
    }
  }
  return problems;
}

export function checkDockerignore(text) {
  if (text == null) return ['.dockerignore: missing'];
  const lines = new Set(text.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#')));
  const problems = [];
  for (const [what, alternatives] of Object.entries({
    node_modules: ['node_modules', '**/node_modules'],
    dist: ['dist', '**/dist'],
    '.data': ['.data'],
    '.tools': ['.tools'],
    '.git': ['.git'],
  })) {
    if (!alternatives.some((a) => lines.has(a))) problems.push(`.dockerignore: must exclude ${what}`);
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// docker-compose.yaml (the project as normalized by compose-go)

function publishedPorts(svc) {
  return (svc.ports ?? []).map((p) => (isObj(p) ? String(p.published ?? '') : String(p).split(':').slice(-2, -1)[0] ?? '')).filter(Boolean);
}

/** @param mediaServices as for checkValues: the compose services sharing the media store */
export function checkCompose({ fleet, project, values, mediaServices = [] }) {
  const problems = [];
  const services = project?.services;
  if (!isObj(services)) return ['docker-compose.yaml: no services'];
  const names = new Set(Object.keys(services));
  for (const infra of ['postgres', 'kafka']) {
    if (!names.has(infra)) problems.push(`docker-compose.yaml: service "${infra}" is missing`);
  }
  // Every image reference is pinned.
  for (const [name, svc] of Object.entries(services)) {
    if (!svc.build && (!svc.image || !/:[^/]+$/.test(svc.image) || /:latest$/.test(svc.image))) {
      problems.push(`docker-compose.yaml: ${name} must use a pinned image tag (got "${svc.image ?? ''}")`);
    }
    for (const [dep, how] of Object.entries(svc.depends_on ?? {})) {
      if (!names.has(dep)) {
        problems.push(`docker-compose.yaml: ${name} depends_on "${dep}", which is not a service`);
        continue;
      }
      if (how?.condition === 'service_healthy' && !services[dep].healthcheck?.test) {
        problems.push(`docker-compose.yaml: ${name} waits for ${dep} to be healthy but ${dep} has no healthcheck`);
      }
    }
  }
  // Published host ports are unique.
  const seen = new Map();
  for (const [name, svc] of Object.entries(services)) {
    for (const port of publishedPorts(svc)) {
      if (seen.has(port)) problems.push(`docker-compose.yaml: host port ${port} is published by both ${seen.get(port)} and ${name}`);
      else seen.set(port, name);
    }
  }
  const initSql = project.configs?.['postgres-init']?.content ?? '';
  for (const s of fleet.services) {
    const svc = services[s.name];
    if (!svc) {
      problems.push(`docker-compose.yaml: fleet service "${s.name}" is missing`);
      continue;
    }
    if (!svc.build && !svc.image) problems.push(`docker-compose.yaml: ${s.name} needs build or image`);
    if (svc.build) {
      if (svc.build.context !== '.') problems.push(`docker-compose.yaml: ${s.name}.build.context must be the repository root "."`);
      if (svc.build.dockerfile !== `services/${s.name}/Dockerfile`) problems.push(`docker-compose.yaml: ${s.name}.build.dockerfile must be services/${s.name}/Dockerfile`);
    }
    if (!svc.healthcheck?.test) problems.push(`docker-compose.yaml: ${s.name} has no healthcheck`);
    if (svc.read_only !== true) problems.push(`docker-compose.yaml: ${s.name} should run with read_only: true (like readOnlyRootFilesystem in Kubernetes)`);
    const env = svc.environment ?? {};
    const check = (label, e, need) => {
      for (const key of need) {
        if (e[key] === undefined || e[key] === null) problems.push(`docker-compose.yaml: ${label} lacks env ${key}`);
      }
      if (e.HOST !== undefined && e.HOST !== '0.0.0.0') problems.push(`docker-compose.yaml: ${label} must set HOST=0.0.0.0`);
      if (e.HTTP_PORT !== undefined && e.HTTP_PORT !== String(s.httpPort)) problems.push(`docker-compose.yaml: ${label} HTTP_PORT=${e.HTTP_PORT}, fleet.json says ${s.httpPort}`);
      if (s.grpcPort && e.GRPC_PORT !== undefined && e.GRPC_PORT !== String(s.grpcPort)) problems.push(`docker-compose.yaml: ${label} GRPC_PORT=${e.GRPC_PORT}, fleet.json says ${s.grpcPort}`);
      if (s.schema) {
        if (e.DATABASE_SCHEMA !== undefined && e.DATABASE_SCHEMA !== s.schema) problems.push(`docker-compose.yaml: ${label} DATABASE_SCHEMA must be ${s.schema}`);
        const m = /^postgres(?:ql)?:\/\/([^:@/]+)(?::[^@]*)?@([^:/]+)(?::(\d+))?\/([^?]+)/.exec(e.DATABASE_URL ?? '');
        if (e.DATABASE_URL !== undefined && !m) problems.push(`docker-compose.yaml: ${label} DATABASE_URL is not a postgres:// URL`);
        else if (m && m[1] !== s.schema) problems.push(`docker-compose.yaml: ${label} DATABASE_URL connects as "${m[1]}", must be the service's own role "${s.schema}"`);
        else if (m && m[4] !== fleet.database) problems.push(`docker-compose.yaml: ${label} DATABASE_URL database must be ${fleet.database}`);
      }
      for (const peer of values?.services?.[s.name]?.peers ?? []) {
        const p = fleet.services.find((f) => f.name === peer);
        const want = p?.grpcPort ? `${peer}:${p.grpcPort}` : null;
        if (want && e[grpcEnvName(peer)] !== undefined && e[grpcEnvName(peer)] !== want) problems.push(`docker-compose.yaml: ${label} ${grpcEnvName(peer)} must be ${want}`);
      }
    };
    check(s.name, env, [...requiredEnv(s), ...valuesEnvNames(values?.services?.[s.name])]);
    for (const [dep, how] of Object.entries(svc.depends_on ?? {})) {
      if (names.has(dep) && services[dep].healthcheck?.test && how?.condition === 'service_started') {
        problems.push(`docker-compose.yaml: ${s.name} depends_on ${dep} should wait for service_healthy`);
      }
    }
    if (s.schema) {
      const migName = `${s.name}-migrate`;
      const mig = services[migName];
      if (!mig) {
        problems.push(`docker-compose.yaml: ${s.name} has schema "${s.schema}" but no "${migName}" service`);
      } else {
        if (JSON.stringify(mig.command) !== JSON.stringify(['node', 'dist/src/migrate.js'])) problems.push(`docker-compose.yaml: ${migName}.command must be ["node", "dist/src/migrate.js"]`);
        if (mig.restart && mig.restart !== 'no') problems.push(`docker-compose.yaml: ${migName} is one-shot; restart must be "no"`);
        if (mig.depends_on?.postgres?.condition !== 'service_healthy') problems.push(`docker-compose.yaml: ${migName} must depend_on postgres with condition service_healthy`);
        if (mig.image && svc.image && mig.image !== svc.image) problems.push(`docker-compose.yaml: ${migName} must run the same image as ${s.name}`);
        check(migName, mig.environment ?? {}, requiredEnv(s));
        if (svc.depends_on?.[migName]?.condition !== 'service_completed_successfully') {
          problems.push(`docker-compose.yaml: ${s.name} must depend_on ${migName} with condition service_completed_successfully`);
        }
      }
      const role = s.schema;
      if (!new RegExp(`CREATE ROLE ${role} LOGIN`, 'i').test(initSql)) problems.push(`docker-compose.yaml: configs.postgres-init must CREATE ROLE ${role} LOGIN …`);
      if (!new RegExp(`CREATE SCHEMA ${s.schema} AUTHORIZATION ${role}\\b`, 'i').test(initSql)) problems.push(`docker-compose.yaml: configs.postgres-init must CREATE SCHEMA ${s.schema} AUTHORIZATION ${role}`);
      if (!new RegExp(`GRANT CONNECT ON DATABASE ${fleet.database} TO ${role}\\b`, 'i').test(initSql)) problems.push(`docker-compose.yaml: configs.postgres-init must GRANT CONNECT ON DATABASE ${fleet.database} TO ${role}`);
    }
  }
  // Fleet-wide env (helm global.env, e.g. the token issuer and audience) has one value in compose too.
  for (const key of Object.keys(values?.global?.env ?? {})) {
    const seenValues = new Map();
    for (const s of fleet.services.filter((f) => services[f.name])) {
      const v = services[s.name].environment?.[key];
      if (v === undefined || v === null) problems.push(`docker-compose.yaml: ${s.name} lacks env ${key} (set for every service: helm global.env)`);
      else seenValues.set(s.name, v);
    }
    if (new Set(seenValues.values()).size > 1) {
      problems.push(`docker-compose.yaml: ${key} differs between services (${[...seenValues].map(([n, v]) => `${n}=${v}`).join(', ')}); it must be the same everywhere`);
    }
  }
  // One media store (docs/adr/0021): every process that reads or writes media sees the same one.
  const present = fleet.services.map((f) => f.name).filter((n) => services[n]);
  const envOf = (n) => services[n]?.environment ?? {};
  problems.push(
    ...sameMediaStore(
      'docker-compose.yaml',
      mediaStoreServices(present, envOf, mediaServices),
      (n) => mediaStoreSettings(envOf(n)),
      (n) => envOf(n).OBJECT_STORAGE !== undefined && envOf(n).OBJECT_STORAGE !== null,
    ),
  );
  // Service tokens (docs/adr/0016): identity accepts a caller whose SHA-256 it lists.
  const credentials = Object.values(services).map((svc) => svc.environment?.SERVICE_CREDENTIALS).find((v) => v);
  const listed = new Set(String(credentials ?? '').split(',').map((e) => e.trim()));
  for (const n of present) {
    const secret = envOf(n).SERVICE_TOKEN_SECRET;
    if (secret === undefined || secret === null) continue;
    const entry = `${n}:${createHash('sha256').update(String(secret)).digest('hex')}`;
    if (!listed.has(entry)) problems.push(`docker-compose.yaml: identity's SERVICE_CREDENTIALS lacks ${entry} (${n}'s SERVICE_TOKEN_SECRET; identity would refuse its service tokens)`);
  }
  if (services.postgres && services.postgres.environment?.POSTGRES_DB !== fleet.database) {
    problems.push(`docker-compose.yaml: postgres must create database ${fleet.database} (POSTGRES_DB)`);
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// Rendered chart

const byKind = (objects, kind) => objects.filter((o) => o?.kind === kind);
const named = (objects, kind, name) => objects.find((o) => o?.kind === kind && o.metadata?.name === name);

function checkPodSecurity(where, podSpec, problems) {
  const pod = podSpec.securityContext ?? {};
  if (pod.runAsNonRoot !== true) problems.push(`${where}: pod securityContext.runAsNonRoot must be true`);
  if (pod.seccompProfile?.type !== 'RuntimeDefault') problems.push(`${where}: pod seccompProfile must be RuntimeDefault`);
  for (const c of podSpec.containers ?? []) {
    const sc = c.securityContext ?? {};
    if (sc.allowPrivilegeEscalation !== false) problems.push(`${where}/${c.name}: allowPrivilegeEscalation must be false`);
    if (sc.readOnlyRootFilesystem !== true) problems.push(`${where}/${c.name}: readOnlyRootFilesystem must be true`);
    if (!(sc.capabilities?.drop ?? []).includes('ALL')) problems.push(`${where}/${c.name}: capabilities must drop ALL`);
    const tmp = (c.volumeMounts ?? []).find((m) => m.mountPath === '/tmp');
    const vol = tmp && (podSpec.volumes ?? []).find((v) => v.name === tmp.name);
    if (!vol?.emptyDir) problems.push(`${where}/${c.name}: needs an emptyDir mounted at /tmp`);
    const env = c.env ?? [];
    const url = env.find((e) => e.name === 'DATABASE_URL');
    if (url) {
      const pw = env.findIndex((e) => e.name === 'DATABASE_PASSWORD');
      if (pw < 0 || pw > env.indexOf(url) || !env[pw].valueFrom?.secretKeyRef) problems.push(`${where}/${c.name}: DATABASE_PASSWORD must come from a secretKeyRef before DATABASE_URL`);
      if (!String(url.value ?? '').includes('$(DATABASE_PASSWORD)')) problems.push(`${where}/${c.name}: DATABASE_URL must embed $(DATABASE_PASSWORD)`);
    }
  }
}

export function checkRendered({ fleet, values, objects, label }) {
  const problems = [];
  const where = (s) => `helm template (${label}) ${s}`;
  for (const s of fleet.services) {
    const v = values?.services?.[s.name];
    if (!isObj(v) || !v.enabled) continue;
    const name = `${values.global?.namePrefix ?? ''}${s.name}`;
    const dep = named(objects, 'Deployment', name);
    for (const kind of ['Deployment', 'Service', 'ConfigMap', 'ServiceAccount']) {
      if (!named(objects, kind, name)) problems.push(where(`renders no ${kind} ${name}`));
    }
    if (v.autoscaling?.enabled && !named(objects, 'HorizontalPodAutoscaler', name)) problems.push(where(`renders no HorizontalPodAutoscaler ${name}`));
    if (v.pdb?.enabled && !named(objects, 'PodDisruptionBudget', name)) problems.push(where(`renders no PodDisruptionBudget ${name}`));
    if (dep) {
      const pod = dep.spec.template.spec;
      checkPodSecurity(where(`Deployment ${name}`), pod, problems);
      const c = pod.containers[0];
      const probe = (p) => p?.httpGet?.path;
      if (probe(c.livenessProbe) !== '/health') problems.push(where(`Deployment ${name}: livenessProbe must GET /health`));
      if (probe(c.readinessProbe) !== '/ready') problems.push(where(`Deployment ${name}: readinessProbe must GET /ready`));
      if (!c.startupProbe) problems.push(where(`Deployment ${name}: needs a startupProbe`));
      const ports = Object.fromEntries((c.ports ?? []).map((p) => [p.name, p.containerPort]));
      if (ports.http !== s.httpPort) problems.push(where(`Deployment ${name}: container port "http" is ${ports.http}, fleet.json says ${s.httpPort}`));
      if ((ports.grpc ?? null) !== (s.grpcPort ?? null)) problems.push(where(`Deployment ${name}: container port "grpc" is ${ports.grpc ?? 'unset'}, fleet.json says ${s.grpcPort ?? 'none'}`));
      const cm = named(objects, 'ConfigMap', name);
      const envNames = new Set([...Object.keys(cm?.data ?? {}), ...(c.env ?? []).map((e) => e.name)]);
      for (const key of [...requiredEnv(s), ...valuesEnvNames(v)]) {
        if (!envNames.has(key)) problems.push(where(`Deployment ${name}: container gets no ${key}`));
      }
      if (cm?.data?.HOST !== '0.0.0.0') problems.push(where(`ConfigMap ${name}: HOST must be 0.0.0.0`));
    }
    const job = named(objects, 'Job', `${name}-migrate`);
    if (s.schema && !job) problems.push(where(`renders no migration Job ${name}-migrate`));
    if (!s.schema && job) problems.push(where(`renders a migration Job for ${name}, which has no schema`));
    if (job) {
      const a = job.metadata.annotations ?? {};
      if (a['helm.sh/hook'] !== 'pre-install,pre-upgrade') problems.push(where(`Job ${name}-migrate: helm.sh/hook must be pre-install,pre-upgrade`));
      if (!a['helm.sh/hook-delete-policy']) problems.push(where(`Job ${name}-migrate: needs helm.sh/hook-delete-policy`));
      if (a['helm.sh/hook-weight'] === undefined) problems.push(where(`Job ${name}-migrate: needs helm.sh/hook-weight`));
      const c = job.spec.template.spec.containers[0];
      if (JSON.stringify(c.command) !== JSON.stringify(['node', 'dist/src/migrate.js'])) problems.push(where(`Job ${name}-migrate: command must be node dist/src/migrate.js`));
      if (dep && c.image !== dep.spec.template.spec.containers[0].image) problems.push(where(`Job ${name}-migrate: must use the Deployment's image`));
      checkPodSecurity(where(`Job ${name}-migrate`), job.spec.template.spec, problems);
    }
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// k8s/ platform objects

/** Whether a label selector (matchLabels, matchExpressions) selects the given labels. */
function selects(selector, labels) {
  for (const [k, v] of Object.entries(selector?.matchLabels ?? {})) {
    if (labels[k] !== v) return false;
  }
  for (const e of selector?.matchExpressions ?? []) {
    const has = e.key in labels;
    if (e.operator === 'In' && !(has && (e.values ?? []).includes(labels[e.key]))) return false;
    if (e.operator === 'NotIn' && has && (e.values ?? []).includes(labels[e.key])) return false;
    if (e.operator === 'Exists' && !has) return false;
    if (e.operator === 'DoesNotExist' && has) return false;
  }
  return true;
}

/**
 * @param contractTopics when given, every topic the contracts name (proto `topic:` options): each
 *   needs a KafkaTopic, since the brokers do not create topics
 */
export function checkPlatform({ fleet, values, k8s, kustomizationFiles, rendered, contractTopics }) {
  const problems = [];
  const all = Object.values(k8s).flat().filter(Boolean);
  const enabled = fleet.services.filter((s) => values?.services?.[s.name]?.enabled);

  // kustomization lists the platform objects (secrets.example.yaml stays out on purpose).
  const kust = k8s['kustomization.yaml']?.[0];
  if (!kust) problems.push('k8s/kustomization.yaml: missing');
  else {
    const listed = new Set(kust.resources ?? []);
    for (const f of kustomizationFiles) {
      if (!listed.has(f)) problems.push(`k8s/kustomization.yaml: resources must list ${f}`);
    }
    for (const f of listed) {
      if (!k8s[f]) problems.push(`k8s/kustomization.yaml: lists ${f}, which does not exist`);
    }
    if (listed.has('secrets.example.yaml')) problems.push('k8s/kustomization.yaml: must not apply secrets.example.yaml (placeholders would become real Secrets)');
  }

  const ns = byKind(all, 'Namespace')[0];
  if (ns?.metadata?.labels?.['pod-security.kubernetes.io/enforce'] !== 'restricted') problems.push('k8s/namespace.yaml: the namespace must enforce the restricted Pod Security Standard');

  const policies = byKind(all, 'NetworkPolicy');
  const deny = policies.find((p) => Object.keys(p.spec?.podSelector ?? {}).length === 0 && !p.spec.ingress && !p.spec.egress && ['Ingress', 'Egress'].every((t) => (p.spec.policyTypes ?? []).includes(t)));
  if (!deny) problems.push('k8s/network-policies.yaml: needs a default-deny policy for Ingress and Egress');

  // Ingress backends are Services (and named ports) the chart renders for a public service.
  for (const ing of byKind(all, 'Ingress')) {
    for (const rule of ing.spec?.rules ?? []) {
      for (const p of rule.http?.paths ?? []) {
        const svcName = p.backend?.service?.name;
        const svc = named(rendered, 'Service', svcName);
        if (!svc) {
          problems.push(`k8s Ingress ${ing.metadata.name}: backend Service "${svcName}" is not rendered by the chart`);
          continue;
        }
        const portName = p.backend.service.port?.name;
        if (portName && !(svc.spec.ports ?? []).some((sp) => sp.name === portName)) problems.push(`k8s Ingress ${ing.metadata.name}: Service ${svcName} has no port "${portName}"`);
        const fleetName = svc.metadata.labels?.['app.kubernetes.io/name'];
        if (!values?.services?.[fleetName]?.public) problems.push(`k8s Ingress ${ing.metadata.name}: routes to ${fleetName}, which is not public: true (the network policies would drop it)`);
      }
    }
  }
  for (const path of ['/api', '/docs', '/openapi.json', '/.well-known/jwks.json']) {
    const routed = byKind(all, 'Ingress').some((ing) => (ing.spec?.rules ?? []).some((r) => (r.http?.paths ?? []).some((p) => p.path === path)));
    if (!routed) problems.push(`k8s/ingress.yaml: no Ingress routes ${path}`);
  }

  // Postgres: a login role and a schema per service with a schema; secrets exist.
  const cluster = byKind(all, 'Cluster')[0];
  const database = byKind(all, 'Database')[0];
  const secrets = Object.fromEntries(byKind(all, 'Secret').map((s) => [s.metadata.name, s]));
  const roles = Object.fromEntries((cluster?.spec?.managed?.roles ?? []).map((r) => [r.name, r]));
  const schemas = Object.fromEntries((database?.spec?.schemas ?? []).map((s) => [s.name, s]));
  if (!cluster) problems.push('k8s/postgres.yaml: no CloudNativePG Cluster');
  if (database && cluster && database.spec.cluster?.name !== cluster.metadata.name) problems.push('k8s/postgres.yaml: the Database must reference the Cluster');
  if (database && database.spec.name !== fleet.database) problems.push(`k8s/postgres.yaml: the Database must be ${fleet.database}`);
  for (const s of enabled.filter((f) => f.schema)) {
    const v = values.services[s.name];
    const role = roles[s.schema];
    const secretName = v.database?.passwordSecret?.name;
    if (!role) problems.push(`k8s/postgres.yaml: Cluster.spec.managed.roles lacks "${s.schema}" (the role of ${s.name})`);
    else {
      if (role.login !== true || (role.ensure ?? 'present') !== 'present') problems.push(`k8s/postgres.yaml: role ${s.schema} must be present with login: true`);
      if (role.passwordSecret?.name !== secretName) problems.push(`k8s/postgres.yaml: role ${s.schema} must take its password from ${secretName} (helm values services.${s.name}.database.passwordSecret.name)`);
      if (role.superuser || role.createdb || role.createrole || role.bypassrls) problems.push(`k8s/postgres.yaml: role ${s.schema} must not be superuser/createdb/createrole/bypassrls`);
    }
    if (schemas[s.schema]?.owner !== s.schema) problems.push(`k8s/postgres.yaml: the Database must declare schema ${s.schema} owned by ${s.schema}`);
    const secret = secrets[secretName];
    if (!secret) problems.push(`k8s/secrets.example.yaml: lacks Secret ${secretName} (database password of ${s.name})`);
    else if (secret.type !== 'kubernetes.io/basic-auth' || secret.stringData?.username !== s.schema) problems.push(`k8s/secrets.example.yaml: ${secretName} must be kubernetes.io/basic-auth with username ${s.schema} (CloudNativePG reads it)`);
  }
  for (const s of enabled) {
    const v = values.services[s.name];
    const refs = [
      ...Object.values(v.secretEnv ?? {}).map((r) => [r.secretName, r.key]),
      ...(v.secretFiles ?? []).map((f) => [f.secretName, f.key]),
    ];
    for (const [name, key] of refs) {
      const secret = secrets[name];
      if (!secret) problems.push(`k8s/secrets.example.yaml: lacks Secret ${name} (referenced by services.${s.name})`);
      else if (!(key in (secret.stringData ?? {})) && !(key in (secret.data ?? {}))) problems.push(`k8s/secrets.example.yaml: Secret ${name} lacks key ${key} (referenced by services.${s.name})`);
    }
  }
  // Service tokens: identity's entry of the credentials Secret lists every caller's hash.
  const credRef = Object.values(values?.services ?? {}).find((v) => v?.secretEnv?.SERVICE_CREDENTIALS)?.secretEnv.SERVICE_CREDENTIALS;
  const credList = credRef ? String(secrets[credRef.secretName]?.stringData?.[credRef.key] ?? '') : '';
  for (const s of enabled) {
    if (!values.services[s.name].secretEnv?.SERVICE_TOKEN_SECRET || !credRef) continue;
    if (!credList.split(',').some((e) => e.trim().startsWith(`${s.name}:`))) {
      problems.push(`k8s/secrets.example.yaml: ${credRef.secretName}.${credRef.key} (identity's SERVICE_CREDENTIALS) lacks an entry ${s.name}:<sha256 hex> for ${s.name}'s SERVICE_TOKEN_SECRET`);
    }
  }
  // The shared media store in S3 is outside the cluster: media-storage-egress must let every
  // service that uses it out (docs/adr/0021).
  const mediaEgress = policies.find((p) => p.metadata?.name === 'media-storage-egress');
  for (const s of enabled) {
    if (values.services[s.name].env?.OBJECT_STORAGE !== 's3') continue;
    const labels = { 'app.kubernetes.io/part-of': 'storytelling', 'app.kubernetes.io/name': s.name, 'app.kubernetes.io/component': 'server' };
    if (!mediaEgress) problems.push(`k8s/network-policies.yaml: no media-storage-egress policy, but ${s.name} uses OBJECT_STORAGE=s3`);
    else if (!selects(mediaEgress.spec?.podSelector, labels)) problems.push(`k8s/network-policies.yaml: media-storage-egress does not select ${s.name}'s pods, which use OBJECT_STORAGE=s3`);
  }
  for (const ing of byKind(all, 'Ingress')) {
    for (const tls of ing.spec?.tls ?? []) {
      if (tls.secretName && !secrets[tls.secretName]) problems.push(`k8s/secrets.example.yaml: lacks the TLS Secret ${tls.secretName} of Ingress ${ing.metadata.name}`);
    }
  }
  for (const s of Object.values(secrets)) {
    for (const [k, val] of Object.entries(s.stringData ?? {})) {
      if (!/REPLACE_ME/.test(String(val)) && k !== 'username') problems.push(`k8s/secrets.example.yaml: ${s.metadata.name}.${k} must be a REPLACE_ME placeholder, never a real value`);
    }
    if (s.data && Object.keys(s.data).length) problems.push(`k8s/secrets.example.yaml: ${s.metadata.name} must use stringData placeholders, not data`);
  }

  // Kafka: topics belong to the cluster; every service that uses Kafka has its DLQ.
  const kafka = byKind(all, 'Kafka')[0];
  if (!kafka) problems.push('k8s/kafka.yaml: no Strimzi Kafka');
  if (kafka && !byKind(all, 'KafkaNodePool').some((p) => p.metadata.labels?.['strimzi.io/cluster'] === kafka.metadata.name && ['controller', 'broker'].every((r) => (p.spec?.roles ?? []).includes(r)))) {
    problems.push('k8s/kafka.yaml: needs a KafkaNodePool of the Kafka cluster with the controller and broker roles (KRaft)');
  }
  const topics = byKind(all, 'KafkaTopic');
  const topicNames = new Set(topics.map((t) => t.spec?.topicName ?? t.metadata.name));
  for (const t of topics) {
    if (kafka && t.metadata.labels?.['strimzi.io/cluster'] !== kafka.metadata.name) problems.push(`k8s/kafka.yaml: KafkaTopic ${t.metadata.name} must carry strimzi.io/cluster: ${kafka.metadata.name}`);
  }
  for (const s of enabled) {
    if (values.services[s.name].kafka && !topicNames.has(`dlq.${s.name}`)) problems.push(`k8s/kafka.yaml: no KafkaTopic dlq.${s.name} (${s.name} uses Kafka)`);
  }
  for (const t of contractTopics ?? []) {
    if (!topicNames.has(t)) problems.push(`k8s/kafka.yaml: no KafkaTopic ${t} (named by the contracts in proto/; auto.create.topics.enable is false, so producing to it fails)`);
  }
  for (const t of ['identity.user.events', 'identity.role.events']) {
    if (fleet.services.some((s) => s.name === 'identity') && !topicNames.has(t)) problems.push(`k8s/kafka.yaml: no KafkaTopic ${t}`);
  }
  const brokers = values?.global?.kafka?.brokers ?? '';
  if (kafka && !brokers.startsWith(`${kafka.metadata.name}-kafka-bootstrap`)) problems.push(`helm values: global.kafka.brokers (${brokers}) must be the bootstrap Service ${kafka.metadata.name}-kafka-bootstrap of k8s/kafka.yaml`);
  const dbHost = values?.global?.database?.host ?? '';
  if (cluster && dbHost !== `${cluster.metadata.name}-rw`) problems.push(`helm values: global.database.host (${dbHost}) must be ${cluster.metadata.name}-rw, the read-write Service of k8s/postgres.yaml`);
  const tls = values?.global?.database?.tls;
  if (cluster && tls?.enabled && tls.caSecret !== `${cluster.metadata.name}-ca`) problems.push(`helm values: global.database.tls.caSecret must be ${cluster.metadata.name}-ca (created by CloudNativePG)`);
  return problems;
}

// ---------------------------------------------------------------------------------------------
// skaffold.yaml

export function checkSkaffold({ fleet, skaffold, exists, apiVersion }) {
  const problems = [];
  if (!skaffold) return ['skaffold.yaml: missing'];
  if (skaffold.apiVersion !== apiVersion) problems.push(`skaffold.yaml: apiVersion must be ${apiVersion} (got ${skaffold.apiVersion})`);
  if (skaffold.kind !== 'Config') problems.push('skaffold.yaml: kind must be Config');
  if (skaffold.build?.local?.push !== false) problems.push('skaffold.yaml: build.local.push must be false');
  const artifacts = skaffold.build?.artifacts ?? [];
  const releases = skaffold.deploy?.helm?.releases ?? [];
  const setValueTemplates = Object.assign({}, ...releases.map((r) => r.setValueTemplates ?? {}));
  for (const s of fleet.services) {
    const dockerfile = `services/${s.name}/Dockerfile`;
    const matching = artifacts.filter((a) => a.docker?.dockerfile === dockerfile);
    if (matching.length !== 1) {
      problems.push(`skaffold.yaml: needs exactly one build artifact with docker.dockerfile ${dockerfile} (found ${matching.length})`);
      continue;
    }
    const a = matching[0];
    if ((a.context ?? '.') !== '.') problems.push(`skaffold.yaml: artifact ${a.image} must build with context "."`);
    if (!exists(dockerfile)) problems.push(`skaffold.yaml: artifact ${a.image} uses ${dockerfile}, which does not exist`);
    const key = a.image.replace(/[^a-zA-Z0-9]/g, '_');
    const repo = setValueTemplates[`services.${s.name}.image.repository`];
    const tag = setValueTemplates[`services.${s.name}.image.tag`];
    if (!repo?.includes(`.IMAGE_REPO_${key}`)) problems.push(`skaffold.yaml: setValueTemplates must set services.${s.name}.image.repository to {{.IMAGE_REPO_${key}}}`);
    if (!tag?.includes(`.IMAGE_TAG_${key}`)) problems.push(`skaffold.yaml: setValueTemplates must set services.${s.name}.image.tag to {{.IMAGE_TAG_${key}}}`);
  }
  for (const a of artifacts) {
    if (!fleet.services.some((s) => a.docker?.dockerfile === `services/${s.name}/Dockerfile`)) problems.push(`skaffold.yaml: artifact ${a.image} is not a fleet.json service`);
  }
  if (releases.length === 0) problems.push('skaffold.yaml: deploy.helm.releases is empty');
  for (const r of releases) {
    if (!r.chartPath || !exists(`${r.chartPath}/Chart.yaml`)) problems.push(`skaffold.yaml: release ${r.name}: chartPath ${r.chartPath} has no Chart.yaml`);
  }
  const platform = (skaffold.profiles ?? []).find((p) => p.name === 'platform');
  if (!platform) problems.push('skaffold.yaml: needs the "platform" profile for k8s/');
  else {
    for (const p of platform.manifests?.kustomize?.paths ?? []) {
      if (!exists(`${p}/kustomization.yaml`)) problems.push(`skaffold.yaml: profile platform: ${p}/kustomization.yaml does not exist`);
    }
    if (!platform.manifests?.kustomize?.paths?.length) problems.push('skaffold.yaml: profile platform must render k8s/ with kustomize');
  }
  return problems;
}
