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
 *   enum, uuid format, bounds) and `additionalProperties: false` (forbidNonWhitelisted);
 * - `Idempotency-Key` gets the platform's pattern; `If-Match` the entity-tag pattern, and a
 *   required one the 428 PRECONDITION_REQUIRED answer;
 * - every answer that is not 2xx/3xx is application/problem+json (ProblemDto).
 */
export function exactDocument(document: OpenAPIObject): OpenAPIObject {
  applyValidationMetadata(document);
  for (const path of Object.values(document.paths)) {
    for (const operation of Object.values(path) as Array<{ parameters?: Array<ParameterObject | ReferenceObject>; responses?: Record<string, unknown> }>) {
      if (typeof operation !== 'object' || operation === null || !('responses' in operation)) continue;
      for (const parameter of operation.parameters ?? []) {
        if ('$ref' in parameter || parameter.in !== 'header') continue;
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

/** class-validator's registered constraints of every class, by class name. */
export function validationMetadataByClass(): Map<string, ConstraintMetadata[]> {
  const storage = getMetadataStorage() as unknown as { validationMetadatas: Map<Function, ConstraintMetadata[]> };
  const byName = new Map<string, ConstraintMetadata[]>();
  for (const [target, metadatas] of storage.validationMetadatas) byName.set(target.name, metadatas);
  return byName;
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

function applyValidationMetadata(document: OpenAPIObject): void {
  const metadata = validationMetadataByClass();
  for (const [name, schema] of Object.entries(document.components?.schemas ?? {})) {
    if ('$ref' in schema) continue;
    if (name.endsWith('Body') || name.endsWith('Form')) schema.additionalProperties = false;
    for (const constraint of metadata.get(name) ?? []) {
      const property = schema.properties?.[constraint.propertyName];
      if (!property || '$ref' in property) continue;
      const keywords = schemaKeywordsOf(constraint);
      const target = keywords && targetSchema(property, constraint.each);
      if (keywords && target) Object.assign(target, keywords);
    }
  }
}
