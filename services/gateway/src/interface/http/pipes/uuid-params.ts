import type { ArgumentMetadata } from '@nestjs/common';
import { type ClassTransformOptions, plainToInstance } from 'class-transformer';
import { getMetadataStorage, IS_UUID, isUUID } from 'class-validator';

type UuidVersion = Parameters<typeof isUUID>[1];
type ParamsClass = new () => object;

/**
 * A check of a path-parameter object against a DTO whose every rule is one `@IsUUID` per field
 * (StoryIdParams, VoiceIdParams, …): the DTO instance when every field is a UUID and nothing
 * else is there, `undefined` otherwise — then the caller runs the full validation, which gives
 * the answer it always gave (400 VALIDATION_FAILED, `must be a UUID`).
 */
export type UuidParamsCheck = (value: unknown) => object | undefined;

const checks = new WeakMap<object, UuidParamsCheck | null>();

/**
 * The check for `metatype`, built once per class from its class-validator rules; `null` when the
 * class has any other rule (or none), so only the UUID-only path parameters take this path. It
 * accepts exactly what class-validator would (its own `isUUID`, same version, applied to the
 * class-transformer instance the ValidationPipe would validate) and never decides a failure.
 */
export function uuidParamsCheck(metatype: ArgumentMetadata['metatype'], transformOptions: ClassTransformOptions): UuidParamsCheck | null {
  if (typeof metatype !== 'function' || metatype === Object) return null;
  let check = checks.get(metatype);
  if (check === undefined) {
    check = compile(metatype as ParamsClass, transformOptions);
    checks.set(metatype, check);
  }
  return check;
}

function compile(metatype: ParamsClass, transformOptions: ClassTransformOptions): UuidParamsCheck | null {
  const rules = getMetadataStorage().getTargetValidationMetadatas(metatype, '', true, false);
  const versions = new Map<string, UuidVersion>();
  for (const rule of rules) {
    const plain = rule.name === IS_UUID && !rule.each && rule.always === undefined && !rule.groups?.length && !rule.validateIf && rule.constraints?.length === 1;
    if (!plain || versions.has(rule.propertyName)) return null;
    versions.set(rule.propertyName, rule.constraints[0] as UuidVersion);
  }
  if (versions.size === 0) return null;
  const fields = [...versions.entries()];
  return (value) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
    const keys = Object.keys(value);
    if (keys.length !== fields.length || Object.getOwnPropertySymbols(value).length > 0) return undefined;
    for (const [field, version] of fields) {
      const given = (value as Record<string, unknown>)[field];
      if (typeof given !== 'string' || !isUUID(given, version)) return undefined;
    }
    // What the ValidationPipe returns (transform: true): the class instance, @Transform applied.
    const entity = plainToInstance(metatype, value, transformOptions) as Record<string, unknown>;
    const entityKeys = Object.keys(entity);
    if (entityKeys.length !== fields.length || !entityKeys.every((k) => versions.has(k))) return undefined;
    for (const [field, version] of fields) {
      const after = entity[field];
      if (typeof after !== 'string' || !isUUID(after, version)) return undefined;
    }
    return entity;
  };
}
