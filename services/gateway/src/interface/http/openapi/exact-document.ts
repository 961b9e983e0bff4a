import type { OpenAPIObject } from '@nestjs/swagger';
import { IDEMPOTENCY_KEY_PATTERN } from '@storytelling/platform';
import { getMetadataStorage } from 'class-validator';

// The document's own types (@nestjs/swagger does not export its spec interfaces).
type Schemas = NonNullable<NonNullable<OpenAPIObject['components']>['schemas']>;
type SchemaOrRef = Schemas[string];
type SchemaObject = Exclude<SchemaOrRef, { $ref: string }>;
interface ParameterObject {
  name: string;
  in: string;
  required?: boolean;
  schema?: SchemaOrRef;
}
type ReferenceObject = { $ref: string };

/**
 * Makes the generated document as strict as the server (issue 12, item 8), from the metadata the
 * server validates with, so the two cannot drift (test/unit/openapi-document.test.ts checks it):
 * - request body schemas get the class-validator constraints of their class (pattern, lengths,
 *   enum, uuid format, bounds) and `additionalProperties: false` (forbidNonWhitelisted); query and
 *   path parameters those of the route's query/params class (found through `controllers`);
 * - `Idempotency-Key` gets the platform's pattern; `If-Match` the entity-tag pattern, and a
 *   required one the 428 PRECONDITION_REQUIRED answer;
 * - every string a request carries (body fields at any depth, map values, query and path
 *   parameters) is free of control characters, tab/LF/CR allowed in @MultiLineText fields;
 * - every route documents the server edges' 408 and 431;
 * - every answer that is not 2xx/3xx is application/problem+json (ProblemDto).
 */
export function exactDocument(document: OpenAPIObject, controllers: readonly Function[] = []): OpenAPIObject {
  applyValidationMetadata(document);
  applyParameterMetadata(document, controllers);
  forbidControlCharacters(document, controllers);
  for (const path of Object.values(document.paths)) {
    for (const operation of Object.values(path) as Array<{ parameters?: Array<ParameterObject | ReferenceObject>; responses?: Record<string, unknown> }>) {
      if (typeof operation !== 'object' || operation === null || !('responses' in operation)) continue;
      // The HTTP server's own edges (http-edge.ts) answer these on any route, before routing.
      for (const [status, description] of Object.entries(SERVER_EDGE_ANSWERS)) operation.responses![status] ??= problemResponse(description);
      for (const parameter of operation.parameters ?? []) {
        if ('$ref' in parameter) continue;
        if ((parameter.in === 'query' || parameter.in === 'path') && parameter.schema && !('$ref' in parameter.schema)) addControlRule(parameter.schema, false);
        if (parameter.in !== 'header') continue;
        const name = parameter.name.toLowerCase();
        if (name === 'idempotency-key') parameter.schema = { type: 'string', minLength: 1, maxLength: 255, pattern: IDEMPOTENCY_KEY_PATTERN.source };
        if (name === 'if-match') {
          parameter.schema = { type: 'string', pattern: IF_MATCH_PATTERN };
          if (parameter.required) operation.responses!['428'] ??= problemResponse('If-Match is required (PRECONDITION_REQUIRED)');
        }
      }
    }
  }
  return document;
}

/** Answers the HTTP server gives any request before a route sees it (issue 12, item 6). */
export const SERVER_EDGE_ANSWERS: Record<string, string> = {
  '408': 'The request (headers or body) did not arrive in time (REQUEST_TIMEOUT)',
  '431': 'Request headers larger than the server takes (HEADERS_TOO_LARGE)',
};

/**
 * What `If-Match` may be (preconditions.ts `expectedVersion`): one strong entity tag `"<version>"`
 * or the bare version, 1..10 digits without a leading zero. The drift test runs both over samples.
 */
export const IF_MATCH_PATTERN = '^("[1-9][0-9]{0,9}"|[1-9][0-9]{0,9})$';

function problemResponse(description: string): Record<string, unknown> {
  return { description, content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/ProblemDto' } } } };
}

interface ConstraintMetadata {
  propertyName: string;
  name?: string;
  type: string;
  constraints?: unknown[];
  each?: boolean;
}

function validationMetadatas(): Map<Function, ConstraintMetadata[]> {
  return (getMetadataStorage() as unknown as { validationMetadatas: Map<Function, ConstraintMetadata[]> }).validationMetadatas;
}

/** A class's constraints with those it inherits (class-validator keeps each on the declaring class). */
function constraintsOf(target: Function, all: Map<Function, ConstraintMetadata[]>): ConstraintMetadata[] {
  const out: ConstraintMetadata[] = [];
  for (let t: unknown = target; typeof t === 'function' && t !== Function.prototype; t = Object.getPrototypeOf(t)) out.push(...(all.get(t) ?? []));
  return out;
}

/** A class's class-validator constraints, inherited ones included. */
export function constraintsOfClass(target: Function): ConstraintMetadata[] {
  return constraintsOf(target, validationMetadatas());
}

/** class-validator's registered constraints of every validated class (inherited ones included), by class name. */
export function validationMetadataByClass(): Map<string, ConstraintMetadata[]> {
  const all = validationMetadatas();
  const byName = new Map<string, ConstraintMetadata[]>();
  for (const target of validationTargets().values()) byName.set(target.name, constraintsOf(target, all));
  return byName;
}

/** The validated classes, by name (the schema a class becomes has its name). */
export function validationTargets(): Map<string, Function> {
  return new Map([...validationMetadatas().keys()].map((target) => [target.name, target]));
}

/**
 * The JSON Schema keywords one class-validator constraint stands for (strings and numbers); null
 * for constraints a schema cannot say or that need no keyword (IsString is the property's type).
 */
export function schemaKeywordsOf(constraint: ConstraintMetadata): SchemaObject | null {
  const [first, second] = constraint.constraints ?? [];
  switch (constraint.name) {
    case 'matches':
      return first instanceof RegExp && !first.flags ? { pattern: first.source } : typeof first === 'string' && !second ? { pattern: first } : null;
    case 'maxLength':
      return typeof first === 'number' ? { maxLength: first } : null;
    case 'minLength':
      return typeof first === 'number' ? { minLength: first } : null;
    case 'isLength':
      return typeof first === 'number' ? { minLength: first, ...(typeof second === 'number' ? { maxLength: second } : {}) } : null;
    case 'isIn':
      return Array.isArray(first) ? { enum: [...first] } : null;
    case 'isUuid':
      return { format: 'uuid' };
    case 'isCursor':
      return { pattern: CURSOR_SHAPE, minLength: 90, maxLength: 90 };
    case 'min':
      return typeof first === 'number' ? { minimum: first } : null;
    case 'max':
      return typeof first === 'number' ? { maximum: first } : null;
    default:
      return null;
  }
}

/** The schema a property's own keywords go on: the items' for `each` constraints on an array. */
function targetSchema(property: SchemaObject, each: boolean | undefined): SchemaObject | null {
  if (each) return property.items && !('$ref' in property.items) ? (property.items as SchemaObject) : null;
  return property;
}

/**
 * Adds `keywords` to `schema` without loosening what is there: a second pattern joins by allOf,
 * lengths and bounds keep the stricter value.
 */
function assignKeywords(schema: SchemaObject, keywords: SchemaObject): void {
  for (const [keyword, value] of Object.entries(keywords) as Array<[keyof SchemaObject, unknown]>) {
    const current = schema[keyword];
    if (current === undefined || current === value) {
      (schema as Record<string, unknown>)[keyword] = value;
    } else if (keyword === 'pattern') {
      if (!schema.allOf?.some((s) => 'pattern' in s && s.pattern === value)) schema.allOf = [...(schema.allOf ?? []), { pattern: value as string }];
    } else if (keyword === 'maxLength' || keyword === 'maximum') {
      (schema as Record<string, unknown>)[keyword] = Math.min(current as number, value as number);
    } else if (keyword === 'minLength' || keyword === 'minimum') {
      (schema as Record<string, unknown>)[keyword] = Math.max(current as number, value as number);
    } else {
      (schema as Record<string, unknown>)[keyword] = value;
    }
  }
}

/**
 * A list cursor as the services issue it (@storytelling/kernel encodeCursor): base64url of the JSON
 * `["<ISO time>","<uuid>"]`, always 67 bytes, so 90 characters that start with `WyI` (`["`). The
 * gateway decodes it in full (IsCursor); the drift test encodes cursors and matches them.
 */
export const CURSOR_SHAPE = '^WyI[A-Za-z0-9_-]{87}$';

/** Bodies the controllers refuse when they carry none of their (all optional) fields (400, field ''). */
export const NON_EMPTY_BODIES: ReadonlySet<string> = new Set(['UpdateStoryBody', 'UpdateProfileBody']);

function applyValidationMetadata(document: OpenAPIObject): void {
  const metadata = validationMetadataByClass();
  for (const [name, schema] of Object.entries(document.components?.schemas ?? {})) {
    if ('$ref' in schema) continue;
    if (name.endsWith('Body')) schema.additionalProperties = false;
    if (NON_EMPTY_BODIES.has(name)) schema.minProperties = 1;
    for (const constraint of metadata.get(name) ?? []) {
      const property = schema.properties?.[constraint.propertyName];
      if (!property || '$ref' in property) continue;
      const keywords = schemaKeywordsOf(constraint);
      const target = keywords && targetSchema(property, constraint.each);
      if (keywords && target) assignKeywords(target, keywords);
    }
  }
}

/**
 * The validation pipe's control-character rule (dto/validation.ts, issue 12 item 5): no C0, DEL
 * or C1 character in any accepted string; a @MultiLineText field may hold tab, LF and CR.
 */
export const NO_CONTROL_CHARACTERS = '^[^\\u0000-\\u001F\\u007F-\\u009F]*$';
export const NO_CONTROL_CHARACTERS_EXCEPT_LINE_BREAKS = '^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$';

/** A string schema gets the rule; one that has a pattern of its own keeps it and adds the rule by allOf. */
function addControlRule(schema: SchemaObject, multiLine: boolean): void {
  if (schema.type !== 'string' || schema.enum || schema.format === 'uuid' || schema.format === 'binary') return;
  const pattern = multiLine ? NO_CONTROL_CHARACTERS_EXCEPT_LINE_BREAKS : NO_CONTROL_CHARACTERS;
  if (schema.pattern === pattern || schema.allOf?.some((s) => 'pattern' in s && s.pattern === pattern)) return;
  if (schema.pattern === undefined) schema.pattern = pattern;
  else schema.allOf = [...(schema.allOf ?? []), { pattern }];
}

/** The fields a class marks @MultiLineText (dto/validation.ts keeps them on the prototype under a symbol of that name). */
function multiLineFields(target: Function | undefined): Set<string> {
  const fields = new Set<string>();
  for (let proto = target?.prototype as object | null | undefined; proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto) as object | null) {
    for (const symbol of Object.getOwnPropertySymbols(proto)) {
      if (symbol.description !== 'multiLineText') continue;
      const keys = (proto as Record<symbol, unknown>)[symbol];
      if (keys instanceof Set) for (const key of keys) if (typeof key === 'string') fields.add(key);
    }
  }
  return fields;
}

/** The component schemas request bodies use, nested ones included. */
function requestSchemaNames(document: OpenAPIObject): Set<string> {
  const names = new Set<string>();
  const schemas = document.components?.schemas ?? {};
  const visit = (schema: unknown): void => {
    if (typeof schema !== 'object' || schema === null) return;
    const ref = (schema as { $ref?: unknown }).$ref;
    if (typeof ref === 'string') {
      const name = ref.split('/').pop()!;
      if (names.has(name)) return;
      names.add(name);
      visit(schemas[name]);
      return;
    }
    for (const value of Object.values(schema)) visit(value);
  };
  for (const path of Object.values(document.paths)) {
    for (const operation of Object.values(path) as Array<{ requestBody?: unknown }>) {
      if (typeof operation === 'object' && operation !== null) visit(operation.requestBody);
    }
  }
  return names;
}

/**
 * The classes behind the document's schemas, by name: the validated ones, and the ones routes name
 * in @ApiBody (a multipart form is described by a class no pipe validates).
 */
function documentedClasses(controllers: readonly Function[]): Map<string, Function> {
  const classes = validationTargets();
  const getMetadata = (Reflect as unknown as { getMetadata?: (key: string, target: object) => unknown }).getMetadata;
  if (!getMetadata) return classes;
  for (const controller of controllers) {
    const proto = controller.prototype as Record<string, unknown>;
    for (const method of Object.getOwnPropertyNames(proto)) {
      const handler = method === 'constructor' ? undefined : proto[method];
      const parameters = typeof handler === 'function' ? getMetadata('swagger/apiParameters', handler) : undefined;
      if (!Array.isArray(parameters)) continue;
      for (const parameter of parameters as Array<{ in?: string; type?: unknown }>) {
        if (parameter.in === 'body' && typeof parameter.type === 'function' && !classes.has(parameter.type.name)) classes.set(parameter.type.name, parameter.type);
      }
    }
  }
  return classes;
}

function forbidControlCharacters(document: OpenAPIObject, controllers: readonly Function[]): void {
  const schemas = document.components?.schemas ?? {};
  const targets = documentedClasses(controllers);
  const walk = (schema: SchemaOrRef | undefined, multiLine: boolean): void => {
    if (!schema || '$ref' in schema) return;
    addControlRule(schema, multiLine);
    if (schema.items) walk(schema.items, multiLine);
    // Map keys are checked too, but OpenAPI 3.0 has no propertyNames to say so.
    if (typeof schema.additionalProperties === 'object') walk(schema.additionalProperties, false);
  };
  for (const name of requestSchemaNames(document)) {
    const schema = schemas[name];
    if (!schema || '$ref' in schema) continue;
    const multiLine = multiLineFields(targets.get(name));
    for (const [key, property] of Object.entries(schema.properties ?? {})) walk(property, multiLine.has(key));
  }
}

/**
 * The validated classes a route's handler takes (its @Query/@Param/@Body DTOs), by operation id
 * (`<Controller>_<method>`, as @nestjs/swagger names operations), from TypeScript's emitted
 * parameter types.
 */
export function routeParameterClasses(controllers: readonly Function[]): Map<string, Function[]> {
  const validated = new Set(validationMetadatas().keys());
  const isValidated = (t: Function): boolean => {
    for (let c: unknown = t; typeof c === 'function' && c !== Function.prototype; c = Object.getPrototypeOf(c)) if (validated.has(c as Function)) return true;
    return false;
  };
  const getMetadata = (Reflect as unknown as { getMetadata?: (key: string, target: object, property: string) => unknown }).getMetadata;
  const routes = new Map<string, Function[]>();
  if (!getMetadata) return routes;
  for (const controller of controllers) {
    const proto = controller.prototype as object;
    for (const method of Object.getOwnPropertyNames(proto)) {
      if (method === 'constructor') continue;
      const types = getMetadata('design:paramtypes', proto, method);
      if (!Array.isArray(types)) continue;
      routes.set(`${controller.name}_${method}`, types.filter((t): t is Function => typeof t === 'function' && isValidated(t)));
    }
  }
  return routes;
}

/** Query and path parameters get the constraints their route's DTO class declares for them. */
function applyParameterMetadata(document: OpenAPIObject, controllers: readonly Function[]): void {
  const routes = routeParameterClasses(controllers);
  const all = validationMetadatas();
  for (const path of Object.values(document.paths)) {
    for (const operation of Object.values(path) as Array<{ operationId?: string; parameters?: Array<ParameterObject | ReferenceObject> }>) {
      if (typeof operation !== 'object' || operation === null || !operation.operationId) continue;
      const classes = routes.get(operation.operationId) ?? [];
      for (const parameter of operation.parameters ?? []) {
        if ('$ref' in parameter || (parameter.in !== 'query' && parameter.in !== 'path') || !parameter.schema || '$ref' in parameter.schema) continue;
        for (const target of classes) {
          for (const constraint of constraintsOf(target, all)) {
            if (constraint.propertyName !== parameter.name || constraint.each) continue;
            const keywords = schemaKeywordsOf(constraint);
            if (keywords) assignKeywords(parameter.schema, keywords);
          }
        }
      }
    }
  }
}
