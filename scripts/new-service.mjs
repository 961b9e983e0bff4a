#!/usr/bin/env node
// npm run new:service <name> — a new backend service's skeleton and its wiring
// (docs/adding-a-service.md): services/<name>/ from scripts/templates/service, its proto files
// from scripts/templates/proto, the contracts' exports and PROTO_SERVICES entry, fleet.json,
// helm values, docker-compose.yaml, k8s/ and skaffold.yaml from scripts/templates/wiring, the
// root tsconfig.json reference; then `pnpm install` (the lockfile learns the package) and
// `npm run gen` (contracts, docs/asyncapi.yaml). Nothing is written unless every edit applies.
//
//   node scripts/new-service.mjs <name> [--number <n>] [--no-install] [--root <dir>]
//
//   <name>        lower-case letters and digits, starting with a letter (it is the schema, the
//                 database role, the proto package and the Kubernetes object name)
//   --number n    service number n: HTTP 7100+n, gRPC 7200+n (default: one above the highest)
//   --no-install  write the files only (no pnpm install, no npm run gen)
//   --root dir    the repository to write into (default: this one; tests use a copy)
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dashboardText } from './gen-dashboard.mjs';
import { ensurePnpm } from './lib/bootstrap-steps.mjs';
import { runInherited } from './lib/exec.mjs';
import { runCli, say, UserFacingError } from './lib/log.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const TEMPLATES = join(HERE, 'templates');

const NAME = /^[a-z][a-z0-9]{1,29}$/;
/** Names that would collide with something that is not a service (proto packages, compose services, identifiers). */
const RESERVED = new Set([
  ...['common', 'gateway', 'platform', 'kernel', 'contracts', 'testing', 'shared', 'storytelling', 'postgres', 'kafka', 'mailpit', 'dlq', 'google', 'grpc'],
  ...['break', 'case', 'catch', 'class', 'const', 'continue', 'debugger', 'default', 'delete', 'do', 'else', 'enum', 'export', 'extends', 'false'],
  ...['finally', 'for', 'function', 'if', 'import', 'in', 'instanceof', 'new', 'null', 'return', 'super', 'switch', 'this', 'throw', 'true', 'try'],
  ...['typeof', 'var', 'void', 'while', 'with', 'yield', 'let', 'static', 'implements', 'interface', 'package', 'private', 'protected', 'public', 'await'],
]);

/** Runtime dependencies of a service skeleton; versions are taken from the existing services. */
const DEPENDENCIES = ['@nestjs/common', '@nestjs/core', '@nestjs/cqrs', '@nestjs/microservices', '@storytelling/contracts', '@storytelling/kernel', '@storytelling/platform', 'reflect-metadata', 'rxjs', 'typeorm'];

/**
 * @typedef {{ name: string, Name: string, NAME: string, httpPort: number, grpcPort: number, migration: number, database: string, identityGrpcPort: number }} ServiceVars
 */

/** @param {string} text @param {ServiceVars} v */
export function fill(text, v) {
  /** @type {Record<string, string>} */
  const values = {
    name: v.name,
    Name: v.Name,
    NAME: v.NAME,
    HTTP_PORT: String(v.httpPort),
    GRPC_PORT: String(v.grpcPort),
    MIGRATION: String(v.migration),
    DATABASE: v.database,
    IDENTITY_GRPC_PORT: String(v.identityGrpcPort),
  };
  return text.replace(/__(name|Name|NAME|HTTP_PORT|GRPC_PORT|MIGRATION|DATABASE|IDENTITY_GRPC_PORT)__/g, (_, key) => /** @type {string} */ (values[key]));
}

/** @param {string} dir @returns {string[]} paths relative to dir */
function templateFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return templateFiles(path).map((p) => join(entry.name, p));
    return entry.name.endsWith('.tmpl') ? [entry.name] : [];
  });
}

/** @param {string} name @param {ServiceVars} v */
function template(name, v) {
  return fill(readFileSync(join(TEMPLATES, 'wiring', `${name}.tmpl`), 'utf8'), v);
}

class Edits {
  /** @param {string} root */
  constructor(root) {
    this.root = root;
    /** @type {Map<string, string>} */
    this.changed = new Map();
    /** @type {Map<string, string>} */
    this.created = new Map();
  }

  /** @param {string} path repository-relative */
  read(path) {
    if (this.changed.has(path)) return /** @type {string} */ (this.changed.get(path));
    const file = join(this.root, path);
    if (!existsSync(file)) throw new UserFacingError(`${path} is missing`, 'run the generator at the repository root');
    return readFileSync(file, 'utf8');
  }

  /** @param {string} path @param {(text: string) => string} change */
  change(path, change) {
    this.changed.set(path, change(this.read(path)));
  }

  /** @param {string} path @param {string} text */
  create(path, text) {
    if (existsSync(join(this.root, path)) || this.created.has(path)) throw new UserFacingError(`${path} already exists`);
    this.created.set(path, text);
  }

  write() {
    for (const [path, text] of [...this.created, ...this.changed]) {
      const file = join(this.root, path);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, text);
    }
  }
}

/**
 * `text` with `insert` put before the first line matching `anchor` (or after it), or an error
 * naming the file and what to add by hand.
 * @param {string} text @param {RegExp} anchor a multiline pattern matching a whole line
 * @param {string} insert @param {{ where: string, what: string, after?: boolean, last?: boolean }} about
 */
function insertAt(text, anchor, insert, about) {
  const flags = anchor.flags.includes('g') ? anchor.flags : `${anchor.flags}g`;
  const matches = [...text.matchAll(new RegExp(anchor.source, flags))];
  const m = about.last ? matches.at(-1) : matches[0];
  if (!m || m.index === undefined) {
    throw new UserFacingError(`${about.where}: cannot find where ${about.what} goes (looked for ${anchor})`, 'add it by hand as docs/adding-a-service.md shows, or restore the file');
  }
  let at = m.index;
  if (about.after) {
    at = m.index + m[0].length;
    if (text[at] === '\n') at++;
  }
  return text.slice(0, at) + insert + text.slice(at);
}

/** @param {string} text */
const withNewline = (text) => (text.endsWith('\n') ? text : `${text}\n`);

/**
 * Validates the name and picks the ports.
 * @param {string} root @param {string} name @param {number | undefined} number
 */
export function planService(root, name, number) {
  if (!NAME.test(name)) {
    throw new UserFacingError(`invalid service name "${name}"`, 'use 2–30 lower-case letters and digits, starting with a letter (it becomes the schema, role, proto package and Kubernetes names)');
  }
  if (RESERVED.has(name)) throw new UserFacingError(`"${name}" is reserved (it would collide with ${name === 'gateway' ? 'the gateway' : 'an existing name or keyword'})`);
  const fleet = JSON.parse(readFileSync(join(root, 'fleet.json'), 'utf8'));
  /** @type {{ name: string, schema: string | null, httpPort: number, grpcPort: number | null }[]} */
  const services = fleet.services;
  const taken = [
    services.some((s) => s.name === name || s.schema === name) && 'fleet.json',
    existsSync(join(root, 'services', name)) && `services/${name}/`,
    existsSync(join(root, 'proto', 'storytelling', name)) && `proto/storytelling/${name}/`,
    new RegExp(`^  ${name}:`, 'm').test(readFileSync(join(root, 'helm/storytelling/values.yaml'), 'utf8')) && 'helm/storytelling/values.yaml',
    new RegExp(`^  ${name}(-migrate)?:`, 'm').test(readFileSync(join(root, 'docker-compose.yaml'), 'utf8')) && 'docker-compose.yaml',
    new RegExp(`\\b${name}(Events|Commands)? from `).test(readFileSync(join(root, 'shared/contracts/src/index.ts'), 'utf8')) && 'shared/contracts/src/index.ts',
  ].filter(Boolean);
  if (taken.length > 0) throw new UserFacingError(`a service "${name}" already exists (${taken.join(', ')})`);

  const used = new Set(services.flatMap((s) => [s.httpPort, s.grpcPort]).filter((p) => p !== null));
  const numbers = services.flatMap((s) => [s.httpPort - 7100, (s.grpcPort ?? 0) - 7200]).filter((n) => n >= 1 && n <= 99);
  const n = number ?? Math.max(0, ...numbers) + 1;
  if (!Number.isInteger(n) || n < 1 || n > 99) throw new UserFacingError(`service number ${number ?? n} is out of range (1–99: HTTP 7101–7199, gRPC 7201–7299)`);
  if (used.has(7100 + n) || used.has(7200 + n)) throw new UserFacingError(`service number ${n} is taken: ${7100 + n} or ${7200 + n} is in fleet.json`);
  const identity = services.find((s) => s.name === 'identity');
  if (!identity?.grpcPort) throw new UserFacingError('fleet.json has no identity with a gRPC port (every service verifies callers against it)');
  const Name = name[0].toUpperCase() + name.slice(1);
  /** @type {ServiceVars} */
  const vars = { name, Name, NAME: name.toUpperCase(), httpPort: 7100 + n, grpcPort: 7200 + n, migration: Date.now(), database: fleet.database, identityGrpcPort: identity.grpcPort };
  return { vars, fleet };
}

/**
 * Computes every file to create or change; writes nothing.
 * @param {string} root @param {ServiceVars} vars @param {{ services: { name: string, schema: string | null }[] }} fleet
 */
export function planEdits(root, vars, fleet) {
  const { name, Name } = vars;
  const edits = new Edits(root);

  // services/<name>/ from the templates.
  const serviceTemplates = join(TEMPLATES, 'service');
  for (const file of templateFiles(serviceTemplates)) {
    const target = fill(file, vars).replace(/\.tmpl$/, '').split(sep).join('/');
    edits.create(`services/${name}/${target}`, fill(readFileSync(join(serviceTemplates, file), 'utf8'), vars));
  }
  edits.create(`services/${name}/package.json`, packageJson(root, fleet, name));
  edits.create(`services/${name}/Dockerfile`, dockerfile(root, fleet, vars));

  // proto/storytelling/<name>/v1/.
  const protoTemplates = join(TEMPLATES, 'proto');
  for (const file of templateFiles(protoTemplates)) {
    edits.create(`proto/storytelling/${name}/v1/${fill(file, vars).replace(/\.tmpl$/, '')}`, fill(readFileSync(join(protoTemplates, file), 'utf8'), vars));
  }

  // The contracts: one export per generated file, the gRPC service in PROTO_SERVICES.
  edits.change('shared/contracts/src/index.ts', (text) =>
    insertAt(
      text,
      /^export \* from '\.\/proto-path\.js';$/m,
      `export * as ${name} from './gen/storytelling/${name}/v1/${name}_service.js';\nexport * as ${name}Events from './gen/storytelling/${name}/v1/events.messages.js';\n\n`,
      { where: 'shared/contracts/src/index.ts', what: `the ${name} exports` },
    ),
  );
  edits.change('shared/contracts/src/proto-path.ts', (text) =>
    insertAt(
      text,
      /^\} as const satisfies Record<string, ProtoServiceRef>;$/m,
      `  ${name}: {\n    package: 'storytelling.${name}.v1',\n    service: '${Name}Service',\n    file: 'storytelling/${name}/v1/${name}_service.proto',\n  },\n`,
      { where: 'shared/contracts/src/proto-path.ts', what: `PROTO_SERVICES.${name}` },
    ),
  );

  // fleet.json and the root tsconfig.json: one line each, before the gateway's.
  edits.change('fleet.json', (text) => jsonListLine(text, 'fleet.json', /^([ \t]*)\{ "name": "gateway"/m, /^([ \t]*)\{ "name": "[^"]+".*\}/m, `{ "name": "${name}", "schema": "${name}", "httpPort": ${vars.httpPort}, "grpcPort": ${vars.grpcPort} }`));
  edits.change('tsconfig.json', (text) => jsonListLine(text, 'tsconfig.json', /^([ \t]*)\{ "path": "services\/gateway" \}/m, /^([ \t]*)\{ "path": "(?:services|shared)\/[^"]+" \}/m, `{ "path": "services/${name}" }`));
  // The chart's Grafana dashboard has a row per fleet service (scripts/gen-dashboard.mjs).
  edits.change('helm/storytelling/dashboards/storytelling-fleet.json', () => dashboardText(JSON.parse(edits.read('fleet.json'))));

  // helm: one entry under services (before the gateway's, or at the end).
  edits.change('helm/storytelling/values.yaml', (text) =>
    /^  gateway:$/m.test(text)
      ? insertAt(text, /^  gateway:$/m, template('values.yaml', vars), { where: 'helm/storytelling/values.yaml', what: `services.${name}` })
      : `${withNewline(text)}${template('values.yaml', vars).trimEnd()}\n`,
  );

  // docker-compose.yaml: the env anchor, the migrate one-shot and the service, the role and schema.
  edits.change('docker-compose.yaml', (text) => {
    let out = insertAt(text, /^(?:x-gateway-env|x-http-healthcheck):/m, template('compose-env.yaml', vars), { where: 'docker-compose.yaml', what: `x-${name}-env` });
    out = insertAt(out, /^configs:$/m, template('compose-services.yaml', vars), { where: 'docker-compose.yaml', what: `services ${name}-migrate and ${name}` });
    return insertAt(out, /^ {6}ALTER ROLE \w+ SET search_path = \w+;$/m, `${template('compose-postgres-init.sql', vars).trimEnd()}\n`, {
      where: 'docker-compose.yaml',
      what: `the ${name} role and schema in configs.postgres-init`,
      after: true,
      last: true,
    });
  });

  // k8s/: role and schema, the database Secret's template, the topics.
  edits.change('k8s/postgres.yaml', (text) => {
    const out = insertAt(text, /^ {10}name: storytelling-db-\w+$/m, template('postgres-role.yaml', vars), {
      where: 'k8s/postgres.yaml',
      what: `the managed role ${name}`,
      after: true,
      last: true,
    });
    if (!/\n {6}ensure: present\n*$/.test(out.slice(out.lastIndexOf('\n    - name: ')))) {
      throw new UserFacingError('k8s/postgres.yaml: the Database no longer ends with its schemas list', `add the schema ${name} by hand (docs/adding-a-service.md)`);
    }
    return `${withNewline(out)}${template('postgres-schema.yaml', vars)}`;
  });
  edits.change('k8s/secrets.example.yaml', (text) => `${withNewline(text)}${template('secret.yaml', vars)}`);
  edits.change('k8s/kafka.yaml', (text) => `${withNewline(text)}${template('kafka-topics.yaml', vars)}`);

  // skaffold.yaml: the image artifact and its value templates.
  edits.change('skaffold.yaml', (text) => {
    const out = /^ {4}- image: storytelling\/gateway$/m.test(text)
      ? insertAt(text, /^ {4}- image: storytelling\/gateway$/m, template('skaffold-artifact.yaml', vars), { where: 'skaffold.yaml', what: `the ${name} artifact` })
      : insertAt(text, /^deploy:$/m, template('skaffold-artifact.yaml', vars), { where: 'skaffold.yaml', what: `the ${name} artifact` });
    const what = { where: 'skaffold.yaml', what: `services.${name}.image.* value templates` };
    return /^ {10}services\.gateway\.image\.repository: .*$/m.test(out)
      ? insertAt(out, /^ {10}services\.gateway\.image\.repository: .*$/m, template('skaffold-values.yaml', vars), what)
      : insertAt(out, /^ {10}services\.\w+\.image\.tag: .*$/m, template('skaffold-values.yaml', vars), { ...what, after: true, last: true });
  });

  return edits;
}

/**
 * Adds `line` to a JSON list written one entry per line: before the line matching `before`,
 * else after the last line matching `entry`; the result must still parse.
 * @param {string} text @param {string} where @param {RegExp} before @param {RegExp} entry @param {string} line
 */
function jsonListLine(text, where, before, entry, line) {
  let out;
  const b = before.exec(text);
  if (b) {
    out = `${text.slice(0, b.index)}${b[1]}${line},\n${text.slice(b.index)}`;
  } else {
    const all = [...text.matchAll(new RegExp(entry.source, 'gm'))];
    const last = all.at(-1);
    if (!last || last.index === undefined) throw new UserFacingError(`${where}: cannot find where the new entry goes`, `add ${line} by hand`);
    const end = last.index + last[0].length;
    out = `${text.slice(0, end)},\n${last[1]}${line}${text.slice(end)}`;
  }
  try {
    JSON.parse(out);
  } catch (err) {
    throw new UserFacingError(`${where}: adding ${line} would break it (${err instanceof Error ? err.message : String(err)})`, 'add it by hand');
  }
  return out;
}

/** @param {string} root @param {{ services: { name: string, schema: string | null }[] }} fleet @param {string} name */
function packageJson(root, fleet, name) {
  const existing = fleet.services
    .filter((s) => s.schema)
    .map((s) => join(root, 'services', s.name, 'package.json'))
    .filter((f) => existsSync(f))
    .map((f) => JSON.parse(readFileSync(f, 'utf8')).dependencies ?? {});
  /** @type {Record<string, string>} */
  const dependencies = {};
  for (const dep of DEPENDENCIES) {
    const version = dep.startsWith('@storytelling/') ? 'workspace:*' : existing.map((d) => d[dep]).find(Boolean);
    if (!version) throw new UserFacingError(`no existing service depends on ${dep}, so its version is unknown`, 'add it to one service first, or edit DEPENDENCIES in scripts/new-service.mjs');
    dependencies[dep] = version;
  }
  const pkg = {
    name: `@storytelling/${name}`,
    version: '0.1.0',
    private: true,
    type: 'module',
    main: './dist/src/main.js',
    scripts: { start: 'node dist/src/main.js', migrate: 'node dist/src/migrate.js' },
    dependencies,
  };
  return `${JSON.stringify(pkg, null, 2)}\n`;
}

/**
 * The first fleet service's Dockerfile with the four per-service lines changed (deploy:check
 * requires every Dockerfile to be that file but for them).
 * @param {string} root @param {{ services: { name: string }[] }} fleet @param {ServiceVars} v
 */
function dockerfile(root, fleet, v) {
  const model = fleet.services.map((s) => s.name).find((s) => existsSync(join(root, 'services', s, 'Dockerfile')));
  if (!model) throw new UserFacingError('no fleet service has a Dockerfile to copy');
  let text = readFileSync(join(root, 'services', model, 'Dockerfile'), 'utf8');
  for (const [pattern, line] of /** @type {[RegExp, string][]} */ ([
    [/^ARG SERVICE=.*$/m, `ARG SERVICE=${v.name}`],
    [/^ARG HTTP_PORT=.*$/m, `ARG HTTP_PORT=${v.httpPort}`],
    [/^ARG GRPC_PORT=.*$/m, `ARG GRPC_PORT=${v.grpcPort}`],
    [/^# Build from the repository root: docker build -f services\/[^/]+\/Dockerfile \.$/m, `# Build from the repository root: docker build -f services/${v.name}/Dockerfile .`],
  ])) {
    if (!pattern.test(text)) throw new UserFacingError(`services/${model}/Dockerfile has no line ${pattern}; cannot derive services/${v.name}/Dockerfile`);
    text = text.replace(pattern, line);
  }
  return text;
}

/** @param {string[]} argv */
function parseArgs(argv) {
  /** @type {{ name?: string, number?: number, install: boolean, root: string }} */
  const options = { install: true, root: resolve(HERE, '..') };
  for (let i = 0; i < argv.length; i++) {
    const arg = /** @type {string} */ (argv[i]);
    if (arg === '--no-install') options.install = false;
    else if (arg === '--number') options.number = Number(argv[++i]);
    else if (arg === '--root') options.root = resolve(argv[++i] ?? '.');
    else if (arg.startsWith('-')) throw new UserFacingError(`unknown option ${arg}`, 'usage: npm run new:service <name> [-- --number <n>] [--no-install]');
    else if (options.name) throw new UserFacingError(`one name only (got "${options.name}" and "${arg}")`);
    else options.name = arg;
  }
  if (!options.name) throw new UserFacingError('which service?', 'usage: npm run new:service <name>');
  return options;
}

/** @param {string} root @param {string} label @param {string} command @param {string[]} args */
async function step(root, label, command, args) {
  say('new', label);
  const code = await runInherited(command, args, { cwd: root });
  if (code !== 0) throw new UserFacingError(`${label} failed (exit ${code})`, 'the files are written; fix the cause and run it again');
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const root = options.root;
  if (!existsSync(join(root, 'fleet.json')) || !statSync(join(root, 'services')).isDirectory()) throw new UserFacingError(`${root} is not the repository (no fleet.json or services/)`);
  const { vars, fleet } = planService(root, /** @type {string} */ (options.name), options.number);
  const edits = planEdits(root, vars, fleet);
  edits.write();
  const { name } = vars;
  say('new', `service ${name}: HTTP ${vars.httpPort}, gRPC ${vars.grpcPort}, schema ${name}`);
  for (const path of edits.created.keys()) say('new', `  + ${path}`);
  for (const path of edits.changed.keys()) say('new', `  ~ ${path}`);

  if (options.install) {
    const pnpm = await ensurePnpm();
    await step(root, 'pnpm install (the lockfile learns the package)', pnpm.command, [...pnpm.prefixArgs, 'install', '--prefer-offline', '--config.confirmModulesPurge=false']);
    await step(root, 'npm run gen (contracts, docs/asyncapi.yaml)', process.execPath, [join(root, 'scripts', 'gen-contracts.mjs')]);
  }
  const rel = relative(process.cwd(), root) || '.';
  process.stdout.write(
    [
      '',
      `services/${name} is ready for its domain, handlers, translators and saga definitions (docs/adding-a-service.md).`,
      ...(options.install ? [] : [`Not installed: run \`pnpm install\` and \`npm run gen\` in ${rel}.`]),
      'Then: npm run check:layout && npm run check:domain && npm run deploy:check && npm test',
      '',
    ].join('\n'),
  );
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await runCli(main);
