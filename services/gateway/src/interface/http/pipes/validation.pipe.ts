import { type ArgumentMetadata, Injectable, ValidationPipe } from '@nestjs/common';
import { getMetadataStorage, type ValidationError } from 'class-validator';
import type { FieldError } from '@storytelling/kernel';
import { controlCharacterErrors, hasConstraint, IS_CURSOR } from '../dto/validation.js';
import { ProblemException } from '../problem/problem.js';
import { uuidParamsCheck } from './uuid-params.js';

/** class-validator's error tree → `[{field, message}]` with dotted paths (`a.b`, `items.0.c`). */
export function flattenValidationErrors(errors: readonly ValidationError[], parent = ''): FieldError[] {
  const out: FieldError[] = [];
  for (const error of errors) {
    const field = parent ? `${parent}.${error.property}` : error.property;
    for (const [constraint, message] of Object.entries(error.constraints ?? {})) {
      out.push({ field, message: constraint === 'whitelistValidation' ? 'is not an allowed field' : message });
    }
    if (error.children && error.children.length > 0) out.push(...flattenValidationErrors(error.children, field));
  }
  return out;
}

/** Keys that would reach an object's prototype when copied onto a class instance. */
const DANGEROUS_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

export function forbiddenKeys(value: unknown, path = '', depth = 0): string[] {
  if (typeof value !== 'object' || value === null || depth > 32) return [];
  const out: string[] = [];
  for (const key of Object.keys(value)) {
    const field = path ? `${path}.${key}` : key;
    if (DANGEROUS_KEYS.has(key)) out.push(field);
    else out.push(...forbiddenKeys((value as Record<string, unknown>)[key], field, depth + 1));
  }
  return out;
}

const WHERE: Record<ArgumentMetadata['type'], string> = {
  body: 'request body',
  query: 'query parameters',
  param: 'path parameters',
  custom: 'request',
};

export function validationFailed(where: string, errors: FieldError[]): ProblemException {
  return ProblemException.of('VALIDATION_FAILED', `The ${where} is invalid.`, {}, errors);
}

/** DTO classes that declare no field at all (NoQuery): an empty input can only become an empty instance. */
const ruleless = new WeakMap<object, boolean>();
function declaresNoField(metatype: ArgumentMetadata['metatype']): metatype is new () => object {
  if (typeof metatype !== 'function' || metatype === Object) return false;
  let known = ruleless.get(metatype);
  if (known === undefined) {
    known = getMetadataStorage().getTargetValidationMetadatas(metatype, '', true, false).length === 0 && metatype.length === 0;
    ruleless.set(metatype, known);
  }
  return known;
}

function isEmptyPlainObject(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  return Object.keys(value).length === 0 && Object.getOwnPropertySymbols(value).length === 0;
}

const TRANSFORM_OPTIONS = { enableImplicitConversion: false };

/**
 * Every body, query and path parameter goes through class-validator DTOs: unknown fields are
 * rejected (whitelist + forbidNonWhitelisted), nothing is coerced implicitly, no string holds a
 * control character (tab, LF, CR only in @MultiLineText fields), and failures are
 * 400 VALIDATION_FAILED with field errors. A body must be a JSON object.
 */
@Injectable()
export class GatewayValidationPipe extends ValidationPipe {
  constructor() {
    super({
      whitelist: true,
      forbidNonWhitelisted: true,
      forbidUnknownValues: false,
      transform: true,
      transformOptions: TRANSFORM_OPTIONS,
      validationError: { target: false, value: false },
      // One message per field: the first rule it breaks.
      stopAtFirstError: true,
      // A bad cursor keeps the code the services give it (INVALID_CURSOR) when it is the only problem.
      exceptionFactory: (errors: ValidationError[]) => {
        const fields = flattenValidationErrors(errors);
        if (fields.length === 1 && hasConstraint(errors, IS_CURSOR)) return ProblemException.of('INVALID_CURSOR', 'The cursor is not one this list returned.', {}, fields);
        return validationFailed('request', fields);
      },
    });
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    let input = value;
    if (metadata.type === 'body') {
      if (input === undefined) input = {};
      if (typeof input !== 'object' || input === null || Array.isArray(input)) {
        throw validationFailed(WHERE.body, [{ field: '', message: 'must be a JSON object' }]);
      }
    }
    // An absent query string on a route that takes none (`NoQuery`, most GETs): what
    // class-transformer and class-validator would do with it is known (an empty instance, no
    // error), so they are not run per request (docs/benchmarks.md, gateway read path).
    if (metadata.type === 'query' && isEmptyPlainObject(input) && declaresNoField(metadata.metatype)) return new metadata.metatype();
    // Path parameters that are all UUIDs (`:id` of most routes): a valid set is checked with
    // class-validator's own isUUID, without its per-call machinery; anything it does not accept
    // goes the full way below, so a bad id answers exactly as before (docs/benchmarks.md).
    if (metadata.type === 'param' && metadata.data === undefined) {
      const valid = uuidParamsCheck(metadata.metatype, TRANSFORM_OPTIONS)?.(input);
      if (valid) return valid;
    }
    if (metadata.type === 'body' || metadata.type === 'query') {
      const forbidden = forbiddenKeys(input);
      if (forbidden.length > 0) throw validationFailed(WHERE[metadata.type], forbidden.map((field) => ({ field, message: 'is not an allowed field' })));
    }
    let output: unknown;
    try {
      output = await super.transform(input, metadata);
    } catch (err) {
      if (err instanceof ProblemException && err.problem.code === 'VALIDATION_FAILED') {
        throw validationFailed(WHERE[metadata.type], err.problem.errors ?? []);
      }
      throw err;
    }
    // One rule for every string the gateway accepts, whatever its DTO says (issue 12, item 5).
    const controls = controlCharacterErrors(output, typeof output === 'string' ? (metadata.data ?? '') : '');
    if (controls.length > 0) throw validationFailed(WHERE[metadata.type], controls);
    return output;
  }
}
