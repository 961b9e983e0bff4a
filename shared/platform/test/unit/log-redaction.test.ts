// The error serializer and redact list of the platform's logger (logging/redaction.ts).
import { QueryFailedError } from 'typeorm';
import { REDACTED_PATHS, describeError, serializeError } from '../../src/logging/redaction.js';
import { errorMessage } from '../../src/messaging/errors.js';

function databaseError(message: string, fields: Record<string, unknown>): Error {
  return Object.assign(new Error(message), { severity: 'ERROR', ...fields });
}

describe('serializeError', () => {
  it('drops the parameters and detail of a failed statement and keeps code, constraint and stack', () => {
    const driver = databaseError('duplicate key value violates unique constraint "users_email_key"', {
      code: '23505',
      constraint: 'users_email_key',
      table: 'users',
      detail: 'Key (email)=(ada@example.com) already exists.',
    });
    const err = new QueryFailedError('INSERT INTO users (email, password_hash) VALUES ($1, $2)', ['ada@example.com', '$argon2id$v=19$secret'], driver);
    const out = serializeError(err) as Record<string, unknown>;
    const text = JSON.stringify(out);
    expect(text).not.toMatch(/ada@example\.com|argon2id/);
    expect(out).toMatchObject({ type: 'QueryFailedError', message: 'duplicate key value violates unique constraint "users_email_key"', code: '23505', constraint: 'users_email_key' });
    expect(out.parameters).toBeUndefined();
    expect(String(out.stack)).toContain('QueryFailedError');
  });

  it('masks values PostgreSQL quotes in messages, also in the stack and in causes', () => {
    const driver = databaseError('invalid input syntax for type uuid: "tok_secret_1"', { code: '22P02', table: 'saga_instances' });
    const wrapped = new Error('command failed', { cause: new QueryFailedError('SELECT 1 WHERE id = $1', ['tok_secret_1'], driver) });
    const text = JSON.stringify(serializeError(wrapped));
    expect(text).not.toContain('tok_secret_1');
    expect(text).toContain('invalid input syntax for type uuid: \\"…\\"');
  });

  it('describes errors for dead letters with the same masking', () => {
    const driver = databaseError('invalid input syntax for type uuid: "tok_secret_2"', { code: '22P02' });
    const err = new QueryFailedError('SELECT 1 WHERE id = $1', ['tok_secret_2'], driver);
    expect(errorMessage(err)).toBe('QueryFailedError: invalid input syntax for type uuid: "…"');
    expect(describeError(new TypeError('a "quoted" thing'))).toBe('TypeError: a "quoted" thing');
    expect(describeError('plain')).toBe('plain');
  });

  it('leaves other errors and non-errors as they are', () => {
    expect(serializeError('plain')).toBe('plain');
    expect(serializeError(new Error('a "quoted" thing'))).toMatchObject({ type: 'Error', message: 'a "quoted" thing' });
  });

  it('redacts secret fields at the top and one level down', () => {
    for (const field of ['password', 'email', 'token', 'paymentMethod', 'parameters']) {
      expect(REDACTED_PATHS).toEqual(expect.arrayContaining([field, `*.${field}`]));
    }
  });
});
