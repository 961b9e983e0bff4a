// The service layout of docs/conventions.md "Service layout", as pure functions over (path, text)
// so the unit test can feed them small inputs. Paths are repository-relative and POSIX-style
// (`services/<name>/src/...`); each rule returns the reasons a file breaks it (empty: it passes).
// scripts/check-layout.mjs walks the services and prints what these return. Node built-ins only.
import { stripComments } from './domain-imports.mjs';

/** The rules by letter, as check:layout prints them. */
export const LAYOUT_RULES = {
  a: 'one command or query and its handler per file (application/commands, application/queries)',
  b: 'inbound messages only in src/infrastructure/messaging/*.translator.ts (routes: on(...))',
  c: 'background loops in src/infrastructure/workers/*.worker.ts',
  d: 'repository ports in src/domain/',
  e: 'repositories are Sql<Noun>Repository (no TypeOrm*)',
  f: 'one name for the caller: Caller and the platform CallerResolver',
  g: 'end-to-end tests (*.e2e.test.ts) only under test/e2e/',
  h: 'no hand-written CloudEvents types, topics or retired seams in src/',
  i: 'the service module src/<name>.module.ts has at most 80 lines',
};

/** The longest a service module may be (lines). */
export const MODULE_MAX_LINES = 80;

/** Files the rules read: TypeScript and JavaScript sources. */
export const SOURCE_FILE = /\.(?:[cm]?ts|[cm]?js|tsx|jsx)$/;

/**
 * `services/<service>/<rest>` split up; null for a path outside services/.
 * @param {string} path
 * @returns {{ service: string, rest: string, dir: string, file: string } | null}
 */
export function servicePath(path) {
  const m = /^services\/([^/]+)\/(.+)$/.exec(path.replaceAll('\\', '/'));
  if (!m) return null;
  const rest = m[2];
  const slash = rest.lastIndexOf('/');
  return { service: m[1], rest, dir: slash === -1 ? '' : rest.slice(0, slash + 1), file: rest.slice(slash + 1) };
}

/** @param {string} path */
function inSrc(path) {
  return servicePath(path)?.rest.startsWith('src/') ?? false;
}

/** @param {string} text @param {RegExp} pattern a global pattern */
function count(text, pattern) {
  return [...text.matchAll(pattern)].length;
}

/** @param {number} n @param {string} what */
const times = (n, what) => (n === 0 ? `no ${what}` : `${what} ${n} times`);

// ---------------------------------------------------------------------------------------------
// (a) one command or query and its handler per file

/** @param {string} path @param {string} text @returns {string[]} */
export function handlerRule(path, text) {
  if (!inSrc(path)) return [];
  const rest = /** @type {NonNullable<ReturnType<typeof servicePath>>} */ (servicePath(path)).rest;
  const code = stripComments(text);
  const commands = count(code, /@CommandHandler\s*\(/g);
  const queries = count(code, /@QueryHandler\s*\(/g);
  if (rest.startsWith('src/application/commands/')) {
    const problems = [];
    if (commands !== 1) problems.push(`declares ${times(commands, '@CommandHandler(')}, must declare exactly one`);
    if (queries > 0) problems.push('declares a @QueryHandler( (queries go in src/application/queries/)');
    return problems;
  }
  if (rest.startsWith('src/application/queries/')) {
    const problems = [];
    if (queries !== 1) problems.push(`declares ${times(queries, '@QueryHandler(')}, must declare exactly one`);
    if (commands > 0) problems.push('declares a @CommandHandler( (commands go in src/application/commands/)');
    return problems;
  }
  if (commands + queries > 0) return ['declares a @CommandHandler(/@QueryHandler( outside src/application/commands/ and src/application/queries/'];
  return [];
}

// ---------------------------------------------------------------------------------------------
// (b) inbound messages only through translators

/** Class headers (`class X ... implements A, B<T> {`) with their implements lists. @param {string} code */
function classHeaders(code) {
  return [...code.matchAll(/\bclass\s+([A-Za-z_$][\w$]*)([^{]*)\{/g)].map((m) => {
    const implementsList = /\bimplements\s+([\s\S]*)$/.exec(m[2] ?? '')?.[1] ?? '';
    const extendsName = /\bextends\s+([A-Za-z_$][\w$.]*)/.exec(m[2] ?? '')?.[1] ?? null;
    return { name: m[1] ?? '', implementsList, extendsName };
  });
}

/** Names in an implements list, generics and namespaces dropped (`p.EventHandler<X>` → EventHandler). @param {string} list */
function implementedNames(list) {
  const names = [];
  let depth = 0;
  let current = '';
  for (const ch of list) {
    if (ch === '<') depth++;
    else if (ch === '>') depth--;
    else if (ch === ',' && depth === 0) {
      names.push(current);
      current = '';
    } else if (depth === 0) current += ch;
  }
  names.push(current);
  return names.map((n) => n.trim().split('.').pop() ?? '').filter(Boolean);
}

/** @param {string} path @param {string} text @returns {string[]} */
export function inboundMessageRule(path, text) {
  if (!inSrc(path)) return [];
  const { rest, file } = /** @type {NonNullable<ReturnType<typeof servicePath>>} */ (servicePath(path));
  const code = stripComments(text);
  const problems = [];
  for (const c of classHeaders(code)) {
    if (implementedNames(c.implementsList).includes('EventHandler')) problems.push(`class ${c.name} implements EventHandler (write a translator: routes = [on(<message>, ...)])`);
  }
  if (/\bhandle\s*\(\s*event\s*:\s*CloudEvent\b/.test(code)) problems.push('handles a raw CloudEvent (handle(event: CloudEvent ...); decode with on(<message>, ...) in a translator)');
  if (rest.startsWith('src/infrastructure/messaging/')) {
    if (!file.endsWith('.translator.ts')) problems.push('files in src/infrastructure/messaging/ are translators: <context>-<events|commands>.translator.ts');
    else if (!/\broutes\s*[:=]|\bget\s+routes\s*\(/.test(code)) problems.push('declares no routes (readonly routes = [on(<message>, ...)])');
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// (c) background loops in src/infrastructure/workers/

const LOOP_FOLDERS = new Set(['worker', 'scheduling', 'scheduler']);

/**
 * Checks a file's path only (text is not read).
 * @param {string} path @param {string} [_text] @returns {string[]}
 */
export function workerRule(path, _text) {
  if (!inSrc(path)) return [];
  const { rest, dir, file } = /** @type {NonNullable<ReturnType<typeof servicePath>>} */ (servicePath(path));
  const problems = [];
  const folders = dir.split('/').filter(Boolean);
  folders.forEach((folder, i) => {
    const where = `${folders.slice(0, i + 1).join('/')}/`;
    if (LOOP_FOLDERS.has(folder)) problems.push(`folder ${where}: background loops go in src/infrastructure/workers/`);
    else if (folder === 'workers' && where !== 'src/infrastructure/workers/') problems.push(`folder ${where}: the workers folder is src/infrastructure/workers/`);
  });
  if (rest.startsWith('src/infrastructure/workers/')) {
    if (!file.endsWith('.worker.ts')) problems.push('files in src/infrastructure/workers/ are <noun>.worker.ts');
  } else if (file.endsWith('.worker.ts')) {
    problems.push('a *.worker.ts outside src/infrastructure/workers/');
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// (d) repository ports in src/domain/

/** @param {string} path @param {string} text @returns {string[]} */
export function repositoryPortRule(path, text) {
  if (!inSrc(path)) return [];
  if (/** @type {NonNullable<ReturnType<typeof servicePath>>} */ (servicePath(path)).rest.startsWith('src/domain/')) return [];
  return [...stripComments(text).matchAll(/\binterface\s+(\w+Repository)\b/g)].map((m) => `declares interface ${m[1]} outside src/domain/ (repository ports live in src/domain/repositories.ts)`);
}

// ---------------------------------------------------------------------------------------------
// (e) one repository naming scheme

const SQL_REPOSITORY = /^Sql\w+Repository$/;

/** @param {string} path @param {string} text @returns {string[]} */
export function repositoryNamingRule(path, text) {
  if (!inSrc(path)) return [];
  const problems = [];
  for (const c of classHeaders(stripComments(text))) {
    if (/^TypeOrm/.test(c.name)) {
      problems.push(`class ${c.name}: no TypeOrm* classes (Sql<Noun>Repository, or Sql* for other stores)`);
      continue;
    }
    const ports = implementedNames(c.implementsList).filter((n) => /\w+Repository$/.test(n));
    if (SQL_REPOSITORY.test(c.name)) continue;
    if (/Repository$/.test(c.name)) problems.push(`class ${c.name}: a repository class is named Sql<Noun>Repository`);
    else if (ports.length > 0) problems.push(`class ${c.name} implements ${ports.join(', ')}: name it Sql<Noun>Repository`);
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// (f) one name for the caller

/** @param {string} path @param {string} text @returns {string[]} */
export function callerRule(path, text) {
  if (!servicePath(path)) return [];
  const code = stripComments(text);
  const problems = [];
  for (const m of code.matchAll(/\b(class|interface|type|enum|function|const|let|var)\s+(Viewer|VerifiedCaller)\b/g)) {
    problems.push(`declares ${m[1]} ${m[2]} (the caller is the platform's Caller)`);
  }
  if (/\bclass\s+CallerResolver\b/.test(code)) problems.push("declares a second class CallerResolver (use the platform's)");
  return problems;
}

// ---------------------------------------------------------------------------------------------
// (g) end-to-end tests in test/e2e/

/**
 * Checks a file's path only (text is not read).
 * @param {string} path @param {string} [_text] @returns {string[]}
 */
export function e2eTestRule(path, _text) {
  const parts = servicePath(path);
  if (!parts || !parts.file.endsWith('.e2e.test.ts')) return [];
  return parts.rest.startsWith('test/e2e/') ? [] : ['an end-to-end test (*.e2e.test.ts) outside test/e2e/'];
}

// ---------------------------------------------------------------------------------------------
// (h) no hand-written CloudEvents types or topics; no retired seams

const TYPE_LITERAL = /^storytelling\.[a-z_.-]+\.v[0-9]+$/;
const TOPIC_LITERAL = /^[a-z-]+(\.[a-z-]+)*\.(events|commands)$/;
const RETIRED = ['executeIn', 'RepositoryBinder', 'paymentsStoreIn'];

/**
 * String and template literals of comment-free code with their offsets.
 * @param {string} code @returns {{ value: string, start: number, end: number }[]}
 */
export function stringLiterals(code) {
  const out = [];
  for (let i = 0; i < code.length; i++) {
    const quote = code[i];
    if (quote !== "'" && quote !== '"' && quote !== '`') continue;
    let j = i + 1;
    let value = '';
    while (j < code.length && code[j] !== quote) {
      if (code[j] === '\\') {
        value += code.slice(j, j + 2);
        j += 2;
        continue;
      }
      if (quote !== '`' && code[j] === '\n') break;
      value += code[j];
      j++;
    }
    out.push({ value, start: i, end: j });
    i = j;
  }
  return out;
}

/** [start, end) spans of `eventType(...)` calls' arguments. @param {string} code */
function eventTypeCalls(code) {
  const spans = [];
  for (const m of code.matchAll(/\beventType\s*\(/g)) {
    const start = (m.index ?? 0) + m[0].length;
    let depth = 1;
    let end = start;
    while (end < code.length && depth > 0) {
      if (code[end] === '(') depth++;
      else if (code[end] === ')') depth--;
      end++;
    }
    spans.push([start, end]);
  }
  return spans;
}

/** @param {string} path @param {string} text @returns {string[]} */
export function handWrittenMessagingRule(path, text) {
  if (!inSrc(path)) return [];
  const code = stripComments(text);
  const allowed = eventTypeCalls(code);
  const problems = [];
  for (const lit of stringLiterals(code)) {
    if (allowed.some(([s, e]) => lit.start >= s && lit.start < e)) continue;
    if (TYPE_LITERAL.test(lit.value)) problems.push(`hand-written CloudEvents type '${lit.value}' (use the generated message's .type, or eventType(...) for this service's own)`);
    else if (TOPIC_LITERAL.test(lit.value)) problems.push(`hand-written topic '${lit.value}' (use the generated message's .topic)`);
  }
  for (const name of RETIRED) {
    if (new RegExp(`\\b${name}\\b`).test(code)) problems.push(`uses ${name} (retired: UnitOfWorkPort.run joins the ambient transaction)`);
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// (i) the service module is short

/** Lines of a file (a final newline ends the last line, it does not start another). @param {string} text */
export function lineCount(text) {
  if (text === '') return 0;
  return text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
}

/** @param {string} path @param {string} text @returns {string[]} */
export function moduleSizeRule(path, text) {
  const parts = servicePath(path);
  if (!parts || parts.rest !== `src/${parts.service}.module.ts`) return [];
  const lines = lineCount(text);
  return lines > MODULE_MAX_LINES ? [`${lines} lines (at most ${MODULE_MAX_LINES}: ServiceModule.forService(...) + the service's own providers)`] : [];
}

// ---------------------------------------------------------------------------------------------

/** Each rule's check, by letter. */
export const RULE_CHECKS = {
  a: handlerRule,
  b: inboundMessageRule,
  c: workerRule,
  d: repositoryPortRule,
  e: repositoryNamingRule,
  f: callerRule,
  g: e2eTestRule,
  h: handWrittenMessagingRule,
  i: moduleSizeRule,
};

/** The gateway has its own HTTP layout: only the caller rule applies to it. */
export const GATEWAY = 'gateway';

/**
 * @typedef {{ path: string, rule: keyof typeof LAYOUT_RULES, detail: string }} LayoutViolation
 */

/**
 * Every violation in one service.
 * @param {string} service the folder name under services/
 * @param {{ path: string, text: string }[]} files every source file of the service (repository-relative paths; no node_modules, no dist)
 * @returns {LayoutViolation[]}
 */
export function serviceLayoutViolations(service, files) {
  const letters = /** @type {(keyof typeof LAYOUT_RULES)[]} */ (service === GATEWAY ? ['f'] : Object.keys(RULE_CHECKS));
  /** @type {LayoutViolation[]} */
  const violations = [];
  const seen = new Set();
  for (const { path, text } of files) {
    if (!SOURCE_FILE.test(path)) continue;
    for (const rule of letters) {
      for (const detail of RULE_CHECKS[rule](path, text)) {
        // A misplaced folder is reported once, not once per file in it.
        const folder = /^folder (\S+):/.exec(detail)?.[1];
        const where = folder ? `services/${service}/${folder}` : path;
        const key = `${where}\0${rule}\0${folder ? detail : `${path}\0${detail}`}`;
        if (seen.has(key)) continue;
        seen.add(key);
        violations.push({ path: where, rule, detail: folder ? detail.slice(detail.indexOf(':') + 2) : detail });
      }
    }
  }
  if (service !== GATEWAY) {
    const modulePath = `services/${service}/src/${service}.module.ts`;
    if (!files.some((f) => f.path === modulePath)) violations.push({ path: modulePath, rule: 'i', detail: 'missing (every backend service has src/<name>.module.ts)' });
  }
  return violations;
}

/** `path: (x) rule — detail`, as check:layout prints a violation. @param {LayoutViolation} v */
export function formatViolation(v) {
  return `${v.path}: (${v.rule}) ${LAYOUT_RULES[v.rule]} — ${v.detail}`;
}
