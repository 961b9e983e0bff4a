// The dependency rule for services/*/src/domain (ARCHITECTURE.md §2): plain TypeScript that may
// import only itself, @storytelling/kernel and node: built-ins. Node built-ins only.
import { dirname, isAbsolute, relative, resolve } from 'node:path';

const INFRASTRUCTURE = [/^@nestjs\//, /^typeorm(\/|$)/, /^kafkajs(\/|$)/, /^@grpc\//, /^pg(\/|$)/, /^express(\/|$)/, /^fastify(\/|$)/];

/**
 * Why `specifier`, imported by `importer`, breaks the rule; null when it is allowed.
 * @param {string} specifier @param {string} importer absolute path @param {string} domainRoot absolute path of src/domain
 * @returns {string | null}
 */
export function importViolation(specifier, importer, domainRoot) {
  if (specifier.startsWith('node:')) return null;
  if (specifier === '@storytelling/kernel' || specifier.startsWith('@storytelling/kernel/')) return null;
  if (specifier.startsWith('.') || isAbsolute(specifier)) {
    const target = resolve(dirname(importer), specifier);
    const inside = relative(domainRoot, target);
    return inside.startsWith('..') || isAbsolute(inside) ? 'reaches outside src/domain (domain code depends on nothing but itself)' : null;
  }
  if (INFRASTRUCTURE.some((pattern) => pattern.test(specifier))) return 'is a framework/infrastructure library (belongs in infrastructure/ or interface/)';
  return 'is not @storytelling/kernel or a node: built-in';
}

/**
 * Replaces comments with spaces (keeping newlines, so offsets still map to lines) without
 * touching string or template literals.
 * @param {string} source
 */
export function stripComments(source) {
  let out = '';
  let i = 0;
  /** @type {string | null} */
  let quote = null;
  while (i < source.length) {
    const ch = source[i];
    const next = source[i + 1];
    if (quote) {
      out += ch;
      if (ch === '\\') {
        out += next ?? '';
        i += 2;
        continue;
      }
      if (ch === quote) quote = null;
      i++;
    } else if (ch === '/' && next === '/') {
      while (i < source.length && source[i] !== '\n') {
        out += ' ';
        i++;
      }
    } else if (ch === '/' && next === '*') {
      const end = source.indexOf('*/', i + 2);
      const stop = end === -1 ? source.length : end + 2;
      out += source.slice(i, stop).replace(/[^\n]/g, ' ');
      i = stop;
    } else {
      if (ch === '"' || ch === "'" || ch === '`') quote = ch;
      out += ch;
      i++;
    }
  }
  return out;
}

const PATTERNS = [
  // import x from 'm'; import { a, type B } from 'm'; import type X from 'm'; import 'm'; export * from 'm'
  /(?:^|[^\w$.])(?:import|export)\s+(?:type\s+)?(?:[\w$*{}\s,]*?\s*from\s*)?(['"])([^'"\n]+)\1/g,
  // import('m'), require('m')
  /(?:^|[^\w$.])(?:import|require)\s*\(\s*(['"])([^'"\n]+)\1\s*\)/g,
];

/**
 * Module specifiers a source file imports, with their line numbers.
 * @param {string} source @returns {{ specifier: string, line: number }[]}
 */
export function importsOf(source) {
  const code = stripComments(source);
  /** @type {{ specifier: string, line: number, index: number }[]} */
  const found = [];
  for (const pattern of PATTERNS) {
    for (const match of code.matchAll(pattern)) {
      const index = match.index ?? 0;
      found.push({ specifier: match[2], index, line: code.slice(0, index + match[0].indexOf(match[2])).split('\n').length });
    }
  }
  return found.sort((a, b) => a.index - b.index).map(({ specifier, line }) => ({ specifier, line }));
}

/**
 * @param {string} source @param {string} file absolute path @param {string} domainRoot
 * @returns {{ file: string, line: number, specifier: string, reason: string }[]}
 */
export function domainImportViolations(source, file, domainRoot) {
  return importsOf(source).flatMap(({ specifier, line }) => {
    const reason = importViolation(specifier, file, domainRoot);
    return reason ? [{ file, line, specifier, reason }] : [];
  });
}
