#!/usr/bin/env node
// npm run check:layout — every backend service under services/ against docs/conventions.md
// "Service layout" (rules in scripts/lib/layout-rules.mjs); the gateway, which has its own HTTP
// layout, only against the caller rule (f). Prints each violation as `path: (rule) ...` and exits
// 1, or prints a one-line summary.
//
//   node scripts/check-layout.mjs [--root <dir>] [service ...]
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { formatViolation, GATEWAY, LAYOUT_RULES, serviceLayoutViolations, SOURCE_FILE } from './lib/layout-rules.mjs';
import { repoRoot } from './lib/paths.mjs';

const SKIP = new Set(['node_modules', 'dist', 'coverage']);

/** @param {string} dir @returns {string[]} */
function sourceFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.name.startsWith('.') || SKIP.has(entry.name)) return [];
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return SOURCE_FILE.test(entry.name) ? [path] : [];
  });
}

const args = process.argv.slice(2);
let root = repoRoot;
const only = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--root') root = resolve(args[++i] ?? '.');
  else if (args[i]?.startsWith('-')) throw new Error(`unknown option ${args[i]}`);
  else only.push(/** @type {string} */ (args[i]));
}

const servicesDir = join(root, 'services');
const services = (existsSync(servicesDir) ? readdirSync(servicesDir) : [])
  .filter((name) => statSync(join(servicesDir, name)).isDirectory())
  .filter((name) => only.length === 0 || only.includes(name))
  .sort();
for (const name of only) {
  if (!services.includes(name)) throw new Error(`no service services/${name}`);
}

let fileCount = 0;
const violations = services.flatMap((service) => {
  const files = sourceFiles(join(servicesDir, service)).map((file) => ({
    path: relative(root, file).split(sep).join('/'),
    text: readFileSync(file, 'utf8'),
  }));
  fileCount += files.length;
  return serviceLayoutViolations(service, files);
});

for (const v of violations) process.stderr.write(`${formatViolation(v)}\n`);
const backend = services.filter((s) => s !== GATEWAY);
if (violations.length > 0) {
  const byService = new Map();
  for (const v of violations) {
    const service = v.path.split('/')[1];
    byService.set(service, (byService.get(service) ?? 0) + 1);
  }
  const where = [...byService].map(([s, n]) => `${s} ${n}`).join(', ');
  process.stderr.write(`\ncheck:layout: ${violations.length} violation(s) of docs/conventions.md "Service layout" (${where})\n`);
  process.exitCode = 1;
} else {
  const letters = Object.keys(LAYOUT_RULES);
  process.stdout.write(
    `check:layout: ok (${backend.length} backend services, rules ${letters[0]}–${letters.at(-1)}${services.includes(GATEWAY) ? '; gateway: rule f' : ''}; ${fileCount} files)\n`,
  );
}
