import { domainImportViolations, importsOf, importViolation, stripComments } from '../../../../scripts/lib/domain-imports.mjs';

const domain = '/repo/services/story/src/domain';
const file = `${domain}/story/story.ts`;

describe('importViolation', () => {
  it.each([
    ['@nestjs/common', 'framework'],
    ['@nestjs/cqrs', 'framework'],
    ['typeorm', 'framework'],
    ['typeorm/browser', 'framework'],
    ['kafkajs', 'framework'],
    ['@grpc/grpc-js', 'framework'],
    ['pg', 'framework'],
    ['express', 'framework'],
    ['fastify', 'framework'],
    ['@storytelling/platform', 'not @storytelling/kernel'],
    ['@storytelling/contracts', 'not @storytelling/kernel'],
    ['lodash', 'not @storytelling/kernel'],
    ['crypto', 'not @storytelling/kernel'], // built-ins only with the node: prefix
    ['../../application/publish.js', 'outside src/domain'],
    ['../../infrastructure/story.entity.js', 'outside src/domain'],
  ])('rejects %s', (specifier, reason) => {
    expect(importViolation(specifier, file, domain)).toContain(reason);
  });

  it.each(['@storytelling/kernel', '@storytelling/kernel/ids.js', 'node:crypto', 'node:assert/strict', './story-status.js', '../shared/value.js', '../events/index.js'])(
    'allows %s',
    (specifier) => {
      expect(importViolation(specifier, file, domain)).toBeNull();
    },
  );

  it('does not mistake a package whose name starts like a forbidden one', () => {
    expect(importViolation('pgvector', file, domain)).toContain('not @storytelling/kernel');
    expect(importViolation('pg/lib/client', file, domain)).toContain('framework');
  });
});

describe('importsOf', () => {
  it('finds every import form with its line', () => {
    const source = [
      "import { Injectable } from '@nestjs/common';",
      'import type { Repository } from "typeorm";',
      "import './side-effect.js';",
      "export * from './events.js';",
      "export { a, b } from '@storytelling/kernel';",
      'import {',
      '  A,',
      '  B,',
      "} from 'kafkajs';",
      "const lazy = await import('pg');",
      "const old = require('express');",
      "import * as grpc from '@grpc/grpc-js';",
      "import Default, { named } from 'fastify';",
    ].join('\n');
    expect(importsOf(source)).toEqual([
      { specifier: '@nestjs/common', line: 1 },
      { specifier: 'typeorm', line: 2 },
      { specifier: './side-effect.js', line: 3 },
      { specifier: './events.js', line: 4 },
      { specifier: '@storytelling/kernel', line: 5 },
      { specifier: 'kafkajs', line: 9 },
      { specifier: 'pg', line: 10 },
      { specifier: 'express', line: 11 },
      { specifier: '@grpc/grpc-js', line: 12 },
      { specifier: 'fastify', line: 13 },
    ]);
  });

  it('ignores comments and strings that only look like imports', () => {
    const source = [
      "// import { Injectable } from '@nestjs/common';",
      "/* import pg from 'pg'; */",
      "const text = \"import x from 'typeorm'\";",
      "const url = 'http://example.com'; import { a } from './a.js';",
      'const notAnImport = reimport("kafkajs");',
    ].join('\n');
    expect(importsOf(source)).toEqual([{ specifier: './a.js', line: 4 }]);
  });

  it('keeps line numbers when comments are stripped', () => {
    const stripped = stripComments('a /* x\ny */ b // c\nd');
    expect(stripped.split('\n')).toHaveLength(3);
    expect(stripped).not.toContain('x');
    expect(stripped).not.toContain('c');
  });
});

describe('domainImportViolations', () => {
  it('reports the offending imports only', () => {
    const source = "import { uuidv7 } from '@storytelling/kernel';\nimport { Entity } from 'typeorm';\nimport { Title } from './title.js';\n";
    expect(domainImportViolations(source, file, domain)).toEqual([
      { file, line: 2, specifier: 'typeorm', reason: expect.stringContaining('framework') },
    ]);
  });
});
