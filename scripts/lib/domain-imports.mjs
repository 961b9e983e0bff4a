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

/**
 * Replaces the contents of string and template literals with underscores (same length, quotes
 * and newlines kept), so text inside strings cannot look like an import.
 * @param {string} code comment-free code
 */
export function maskStrings(code) {
  let out = '';
  /** @type {string | null} */
  let quote = null;
  for (let i = 0; i < code.length; i++) {
    const ch = code[i];
    if (!quote) {
      if (ch === '"' || ch === "'" || ch === '`') quote = ch;
      out += ch;
    } else if (ch === '\\') {
      out += '__';
      i++;
    } else if (ch === quote) {
      quote = null;
      out += ch;
    } else {
      out += ch === '\n' ? '\n' : '_';
    }
  }
  return out;
}

const PATTERNS = [
  // import x from 'm'; import { a, type B } from 'm'; import type X from 'm'; import 'm'; export * from 'm'
  /(?:^|[^\w$.])(?:import|export)\s+(?:type\s+)?(?:[\w$*{}\s,]*?\s*from\s*)?(['"])([^'"\n]+)\1/,
  // import('m'), require('m')
  /(?:^|[^\w$.])(?:import|require)\s*\(\s*(['"])([^'"\n]+)\1\s*\)/,
];

/**
 * Module specifiers a source file imports, with their line numbers.
 * @param {string} source @returns {{ specifier: string, line: number }[]}
 */
export function importsOf(source) {
  const code = stripComments(source);
  const masked = maskStrings(code);
  /** @type {{ specifier: string, line: number, index: number }[]} */
  const found = [];
  for (const pattern of PATTERNS) {
    // Match on the masked text (structure only), read the specifier from the real one.
    for (const match of masked.matchAll(new RegExp(pattern.source, 'gd'))) {
      const [start, end] = /** @type {[number, number]} */ (match.indices?.[2]);
      found.push({ specifier: code.slice(start, end), index: start, line: code.slice(0, start).split('\n').length });
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
