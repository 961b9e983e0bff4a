/**
 * The OpenAPI document says what the server enforces (issue 12, item 8): the constraints
 * class-validator checks on request bodies, the Idempotency-Key and If-Match formats, the 428 of a
 * required If-Match, unknown body fields refused, and problem+json for every error answer. A DTO
 * or route changed without the document following fails here.
 */
import request from 'supertest';
import { IDEMPOTENCY_KEY_PATTERN, isValidIdempotencyKey } from '@storytelling/platform';
import { HTTP_CONTROLLERS } from '../../src/interface/http/http-edge.js';
import { CURSOR_SHAPE, IF_MATCH_PATTERN, constraintsOfClass, NO_CONTROL_CHARACTERS, routeParameterClasses, NO_CONTROL_CHARACTERS_EXCEPT_LINE_BREAKS, schemaKeywordsOf, validationMetadataByClass } from '../../src/interface/http/openapi/exact-document.js';
import { expectedVersion } from '../../src/interface/http/preconditions.js';
import { decodeCursor, encodeCursor, uuidv7 } from '@storytelling/kernel';
import { fakeGateway, fakeGatewayWithMember } from '../support/app.js';

interface Schema {
  $ref?: string;
  type?: string;
  pattern?: string;
  properties?: Record<string, Schema>;
  items?: Schema;
  additionalProperties?: boolean;
  [keyword: string]: unknown;
}
interface Parameter {
  name: string;
  in: string;
  required?: boolean;
  schema?: Schema;
}
interface Operation {
  operationId: string;
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema: Schema }> };
  responses: Record<string, { content?: Record<string, { schema: Schema }> }>;
}
interface Document {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
}

/** Whether `schema` says `keyword: value` or something stricter (a pattern may sit in allOf). */
function says(schema: Schema | undefined, keyword: string, value: unknown): boolean {
  if (!schema) return false;
  const current = schema[keyword];
  if (keyword === 'pattern') return current === value || ((schema.allOf as Schema[] | undefined) ?? []).some((s) => s.pattern === value);
  if (typeof current === 'number' && typeof value === 'number') {
    if (keyword === 'maxLength' || keyword === 'maximum') return current <= value;
    if (keyword === 'minLength' || keyword === 'minimum') return current >= value;
  }
  return JSON.stringify(current) === JSON.stringify(value);
}

describe('the OpenAPI document is as strict as the server', () => {
  let doc: Document;
  let operations: Array<{ method: string; path: string; op: Operation }>;

  beforeAll(async () => {
    const gw = await fakeGateway();
    try {
      const res = await request(gw.server).get('/openapi.json');
      expect(res.status).toBe(200);
      doc = res.body as Document;
    } finally {
      await gw.app.close();
    }
    operations = Object.entries(doc.paths).flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => ({ method, path, op })));
  });

  const bodySchemaNames = (): string[] =>
    operations.flatMap(({ op }) => Object.values(op.requestBody?.content ?? {}).map((c) => c.schema.$ref?.split('/').pop() ?? '')).filter((n) => n.endsWith('Body'));

  it('every class-validator constraint of a request body class is in its schema', () => {
    const metadata = validationMetadataByClass();
    const names = [...new Set(bodySchemaNames())];
    expect(names.length).toBeGreaterThan(10);
    const missing: string[] = [];
    let checked = 0;
    for (const name of names) {
      for (const constraint of metadata.get(name) ?? []) {
        const keywords = schemaKeywordsOf(constraint);
        if (!keywords) continue;
        const property = doc.components.schemas[name]!.properties?.[constraint.propertyName];
        const target = constraint.each ? property?.items : property;
        if (!target || target.$ref) continue; // a nested object: its own class is checked by name
        checked++;
        for (const [keyword, value] of Object.entries(keywords)) {
          if (!says(target, keyword, value)) missing.push(`${name}.${constraint.propertyName}: ${keyword} ${JSON.stringify(value)} (document: ${JSON.stringify(target[keyword])})`);
        }
      }
    }
    expect(checked).toBeGreaterThan(20);
    expect(missing).toEqual([]);
  });

  it("every class-validator constraint of a route's query or path DTO is on its parameter", () => {
    const routes = routeParameterClasses(HTTP_CONTROLLERS);
    const missing: string[] = [];
    let checked = 0;
    for (const { method, path, op } of operations) {
      const classes = routes.get(op.operationId);
      expect([op.operationId, classes === undefined]).toEqual([op.operationId, false]);
      for (const parameter of op.parameters ?? []) {
        if (parameter.in !== 'query' && parameter.in !== 'path') continue;
        for (const target of classes!) {
          for (const constraint of constraintsOfClass(target)) {
            const keywords = constraint.propertyName === parameter.name && !constraint.each ? schemaKeywordsOf(constraint) : null;
            if (!keywords) continue;
            checked++;
            for (const [keyword, value] of Object.entries(keywords)) {
              if (!says(parameter.schema, keyword, value)) missing.push(`${method} ${path} ${parameter.name}: ${keyword} ${JSON.stringify(value)} (document: ${JSON.stringify(parameter.schema?.[keyword])})`);
            }
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(20);
    expect(missing).toEqual([]);
  });

  it('a cursor parameter has the shape every issued cursor has (encodeCursor), and the decoder refuses strings of another shape', () => {
    const cursors = operations.flatMap(({ op }) => (op.parameters ?? []).filter((p) => p.name === 'cursor'));
    expect(cursors.length).toBeGreaterThanOrEqual(4);
    for (const c of cursors) expect(says(c.schema, 'pattern', CURSOR_SHAPE)).toBe(true);
    const shape = new RegExp(CURSOR_SHAPE);
    for (const at of [new Date(0), new Date('2026-12-07T17:00:00.123Z'), new Date('9999-12-31T23:59:59.999Z')]) {
      expect(shape.test(encodeCursor({ at, id: uuidv7() }))).toBe(true);
    }
    for (const other of ['0', 'WyI', Buffer.from('["x"]').toString('base64url'), Buffer.from(JSON.stringify(['2026-12-07T17:00:00.000Z', uuidv7(), 1])).toString('base64url')]) {
      expect(shape.test(other)).toBe(false);
      expect(() => decodeCursor(other)).toThrow();
    }
  });

  it('a body whose fields are all optional has minProperties 1 exactly when the server refuses {} (NON_EMPTY_BODIES)', async () => {
    const { gw, token } = await fakeGatewayWithMember();
    try {
      const refusesEmpty: string[] = [];
      const declared: string[] = [];
      for (const { method, path, op } of operations) {
        const ref = op.requestBody?.content['application/json']?.schema.$ref;
        const name = ref?.split('/').pop();
        const schema = name ? doc.components.schemas[name] : undefined;
        if (!name || !schema || (schema.required as string[] | undefined)?.length || Object.keys(schema.properties ?? {}).length === 0) continue;
        if (schema.minProperties === 1) declared.push(name);
        const url = path.replace(/\{[^}]+\}/g, () => uuidv7());
        const res = await request(gw.server)[method as 'patch' | 'put' | 'post'](url).set('authorization', `Bearer ${token}`).set('if-match', '"1"').send({});
        const errors = (res.body as { errors?: Array<{ field: string }> }).errors ?? [];
        if (res.status === 400 && errors.some((e) => e.field === '')) refusesEmpty.push(name);
      }
      expect(refusesEmpty.sort()).toEqual(declared.sort());
      expect(declared.length).toBeGreaterThanOrEqual(2);
    } finally {
      await gw.app.close();
    }
  });

  it('request bodies refuse unknown fields (additionalProperties: false), as the validation pipe does', () => {
    const open = [...new Set(bodySchemaNames())].filter((name) => doc.components.schemas[name]!.additionalProperties !== false);
    expect(open).toEqual([]);
  });

  it('Idempotency-Key has the platform pattern, which accepts and refuses what the server does', () => {
    const headers = operations.flatMap(({ op }) => (op.parameters ?? []).filter((p) => p.in === 'header' && p.name === 'Idempotency-Key'));
    expect(headers.length).toBeGreaterThanOrEqual(5);
    for (const header of headers) expect(header.schema).toMatchObject({ type: 'string', pattern: IDEMPOTENCY_KEY_PATTERN.source, maxLength: 255 });
    const pattern = new RegExp(headers[0]!.schema!.pattern!);
    for (const sample of ['k', '0190f2a0-0000-7000-8000-0000000000c1', 'x'.repeat(255), 'x'.repeat(256), '', 'a b', 'é', 'a\u0000', '~!@#']) {
      expect([sample.slice(0, 12), pattern.test(sample)]).toEqual([sample.slice(0, 12), isValidIdempotencyKey(sample)]);
    }
  });

  it('If-Match has a pattern that accepts exactly what the server takes, and a required one documents 428', () => {
    const ifMatch = operations.flatMap(({ method, path, op }) => (op.parameters ?? []).filter((p) => p.name === 'If-Match').map((p) => ({ method, path, op, p })));
    expect(ifMatch.length).toBeGreaterThanOrEqual(2);
    const pattern = new RegExp(IF_MATCH_PATTERN);
    const serverTakes = (v: string): boolean => {
      try {
        return expectedVersion(v, true) !== undefined;
      } catch {
        return false;
      }
    };
    for (const sample of ['"3"', '3', '"1234567890"', '"0"', '0', 'W/"3"', '*', '"3", "4"', '"03"', '"12345678901"', '"a"', '']) {
      expect([sample, pattern.test(sample)]).toEqual([sample, serverTakes(sample)]);
    }
    for (const { method, path, op, p } of ifMatch) {
      expect([method, path, p.schema?.pattern]).toEqual([method, path, IF_MATCH_PATTERN]);
      if (p.required) expect([method, path, Object.keys(op.responses)]).toEqual([method, path, expect.arrayContaining(['428'])]);
    }
  });

  it('every string a request carries is documented free of control characters (tab/LF/CR only in a story\'s content and a sample\'s text)', () => {
    const rules = (schema: Schema): string[] => [schema.pattern, ...((schema.allOf as Schema[] | undefined) ?? []).map((s) => s.pattern)].filter((p): p is string => typeof p === 'string');
    const plain = new RegExp(NO_CONTROL_CHARACTERS);
    const multiLine = new RegExp(NO_CONTROL_CHARACTERS_EXCEPT_LINE_BREAKS);
    expect([plain.test('a\u0000'), plain.test('a\u0085'), plain.test('a\n'), plain.test('zoë 🙂')]).toEqual([false, false, false, true]);
    expect([multiLine.test('a\u0000'), multiLine.test('a\u007f'), multiLine.test('a\n\tb\r\n'), multiLine.test('a\u000b')]).toEqual([false, false, true, false]);
    const unguarded: string[] = [];
    const multiLineFields: string[] = [];
    const seen = new Set<string>();
    const walk = (schema: Schema | undefined, where: string): void => {
      if (!schema) return;
      if (schema.$ref) {
        const name = schema.$ref.split('/').pop()!;
        if (seen.has(name)) return;
        seen.add(name);
        walk(doc.components.schemas[name], name);
        return;
      }
      if (schema.type === 'string' && !schema.enum && schema.format !== 'uuid' && schema.format !== 'binary') {
        const found = rules(schema);
        if (found.includes(NO_CONTROL_CHARACTERS_EXCEPT_LINE_BREAKS)) multiLineFields.push(where);
        else if (!found.includes(NO_CONTROL_CHARACTERS)) unguarded.push(where);
      }
      for (const [key, property] of Object.entries(schema.properties ?? {})) walk(property, `${where}.${key}`);
      walk(schema.items, `${where}[]`);
      if (typeof schema.additionalProperties === 'object') walk(schema.additionalProperties as Schema, `${where}{}`);
    };
    for (const { method, path, op } of operations) {
      for (const content of Object.values(op.requestBody?.content ?? {})) walk(content.schema, `${method} ${path}`);
      for (const p of op.parameters ?? []) if (p.in === 'query' || p.in === 'path') walk(p.schema, `${method} ${path} ${p.in} ${p.name}`);
    }
    expect(seen.size).toBeGreaterThan(10);
    expect(unguarded).toEqual([]);
    expect(multiLineFields.sort()).toEqual(['AddSampleForm.text', 'CreateStoryBody.content', 'UpdateStoryBody.content']);
  });

  it('every route documents the answers any request can get: the server edges (408, 431), rate limiting (429), a dependency down (503)', () => {
    const missing = operations.flatMap(({ method, path, op }) => ['408', '429', '431', '503'].filter((s) => !(s in op.responses)).map((s) => `${method} ${path} ${s}`));
    expect(missing).toEqual([]);
  });

  it('a method a path does not list answers 405 with Allow naming the listed ones, as the document says', async () => {
    const gw = await fakeGateway();
    try {
      const wrong: string[] = [];
      for (const [path, methods] of Object.entries(doc.paths)) {
        const listed = Object.keys(methods).map((m) => m.toUpperCase());
        const unlisted = ['PUT', 'PATCH', 'DELETE', 'POST'].find((m) => !listed.includes(m))!;
        const url = path.replace(/\{[^}]+\}/g, () => uuidv7());
        const res = await request(gw.server)[unlisted.toLowerCase() as 'put'](url);
        const allow = String(res.headers['allow'] ?? '').split(/,\s*/).filter(Boolean);
        if (res.status !== 405 || !listed.every((m) => allow.includes(m))) wrong.push(`${unlisted} ${path}: ${res.status} Allow: ${allow.join(', ')}`);
      }
      expect(wrong).toEqual([]);
    } finally {
      await gw.app.close();
    }
  });

  it('every error answer is application/problem+json with the problem schema', () => {
    const wrong: string[] = [];
    for (const { method, path, op } of operations) {
      for (const [status, response] of Object.entries(op.responses)) {
        if (Number(status) < 400) continue;
        const content = response.content ?? {};
        if (Object.keys(content).join() !== 'application/problem+json' || content['application/problem+json']!.schema.$ref !== '#/components/schemas/ProblemDto') wrong.push(`${method} ${path} ${status}`);
      }
    }
    expect(wrong).toEqual([]);
  });
});
