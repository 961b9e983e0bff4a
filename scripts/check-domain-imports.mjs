#!/usr/bin/env node
// npm run check:domain — fails when code under services/*/src/domain imports a framework,
// infrastructure, or anything outside the domain except @storytelling/kernel and node: built-ins.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { domainImportViolations } from './lib/domain-imports.mjs';
import { repoRoot } from './lib/paths.mjs';

const SOURCE = /\.(?:[cm]?ts|[cm]?js|tsx|jsx)$/;

/** @param {string} dir @returns {string[]} */
function sourceFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return SOURCE.test(entry.name) ? [path] : [];
  });
}

const servicesDir = join(repoRoot, 'services');
const domains = existsSync(servicesDir)
  ? readdirSync(servicesDir).map((name) => join(servicesDir, name, 'src', 'domain')).filter((dir) => existsSync(dir))
  : [];

let files = 0;
const violations = domains.flatMap((domainRoot) =>
  sourceFiles(domainRoot).flatMap((file) => {
    files++;
    return domainImportViolations(readFileSync(file, 'utf8'), file, domainRoot);
  }),
);

for (const v of violations) {
  process.stderr.write(`${relative(repoRoot, v.file)}:${v.line}: import "${v.specifier}" ${v.reason}\n`);
}
if (violations.length > 0) {
  process.stderr.write(`\ncheck:domain: ${violations.length} forbidden import(s) in src/domain (allowed: the domain folder itself, @storytelling/kernel, node:*)\n`);
  process.exitCode = 1;
} else {
  process.stdout.write(`check:domain: ok (${files} files in ${domains.length} domain folders)\n`);
}
