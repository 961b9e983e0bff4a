import { ValidationError } from '@storytelling/kernel';

const LOCAL = /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
const TLD = /^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/;

/**
 * An e-mail address, normalised to lower case (the whole address: the platform treats
 * `Ann@Example.com` and `ann@example.com` as the same person). Syntax is the practical subset
 * of RFC 5321 that real mailboxes use: dot-atom local part, dns-style domain with a TLD.
 */
export class Email {
  private constructor(readonly value: string) {}

  static parse(raw: string, field = 'email'): Email {
    const value = Email.normalise(raw);
    const problem = Email.problem(value);
    if (problem) throw new ValidationError('invalid email', [{ field, message: problem }], 'INVALID_EMAIL');
    return new Email(value);
  }

  static tryParse(raw: string): Email | undefined {
    const value = Email.normalise(raw);
    return Email.problem(value) ? undefined : new Email(value);
  }

  /** Rehydrates a stored, already-normalised address. */
  static fromStored(value: string): Email {
    return new Email(value);
  }

  static normalise(raw: string): string {
    return typeof raw === 'string' ? raw.trim().toLowerCase() : '';
  }

  private static problem(value: string): string | undefined {
    if (value.length === 0) return 'is required';
    if (value.length > 254) return 'must be at most 254 characters';
    const at = value.lastIndexOf('@');
    if (at <= 0 || at === value.length - 1) return 'must look like name@example.com';
    const local = value.slice(0, at);
    const domain = value.slice(at + 1);
    if (local.length > 64) return 'local part must be at most 64 characters';
    if (!LOCAL.test(local)) return 'must look like name@example.com';
    const labels = domain.split('.');
    if (labels.length < 2 || !labels.every((l) => LABEL.test(l)) || !TLD.test(labels[labels.length - 1]!)) {
      return 'must look like name@example.com';
    }
    return undefined;
  }

  equals(other: Email): boolean {
    return this.value === other.value;
  }

  toString(): string {
    return this.value;
  }
}
