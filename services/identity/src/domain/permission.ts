import type { FieldError } from '@storytelling/kernel';
import { ValidationError } from '@storytelling/kernel';

/**
 * A permission is a (resource, action) pair such as (stories, publish) or (users, read). Each half
 * is lower-case words joined by `-`, `_` or `.`; `*` as either half is a wildcard (`*`, `*` =
 * everything, which the seeded super-admin grant uses).
 */
const NAME = /^(\*|[a-z][a-z0-9]*(?:[-_.][a-z0-9]+)*)$/;

export class Permission {
  private constructor(
    readonly resource: string,
    readonly action: string,
  ) {}

  static of(resource: unknown, action: unknown): Permission {
    const errors: FieldError[] = [];
    const r = Permission.check(resource, 'resource', 100, errors);
    const a = Permission.check(action, 'action', 50, errors);
    if (errors.length > 0 || r === undefined || a === undefined) {
      throw new ValidationError('invalid permission', errors, 'INVALID_PERMISSION');
    }
    return new Permission(r, a);
  }

  private static check(raw: unknown, field: string, max: number, errors: FieldError[]): string | undefined {
    if (typeof raw !== 'string' || raw.trim().length === 0) {
      errors.push({ field, message: 'is required' });
      return undefined;
    }
    const value = raw.trim().toLowerCase();
    if (value.length > max || !NAME.test(value)) {
      errors.push({ field, message: `must be lower-case words joined by - _ or . (at most ${max} characters), or *` });
      return undefined;
    }
    return value;
  }

  get key(): string {
    return `${this.resource}:${this.action}`;
  }

  equals(other: Permission): boolean {
    return this.resource === other.resource && this.action === other.action;
  }

  /** Does holding this permission allow `wanted`? Wildcards match any value. */
  covers(wanted: Permission): boolean {
    return (
      (this.resource === '*' || this.resource === wanted.resource) && (this.action === '*' || this.action === wanted.action)
    );
  }
}
