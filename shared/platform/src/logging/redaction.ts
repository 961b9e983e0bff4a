/**
 * What keeps secrets and personal data out of log lines, whatever a caller passes:
 *
 * - `REDACTED_PATHS`: pino redaction of fields that hold secrets or personal data by name, at the
 *   top of a log object or one level down (`{ user: { email } }`).
 * - `serializeError`: the `err`/`error` serializer. A failed SQL statement's error carries its
 *   parameters (TypeORM's QueryFailedError) and PostgreSQL's detail ("Key (email)=(…) already
 *   exists", "Failing row contains (…)"), and some messages quote the refused value ("invalid
 *   input syntax for type uuid: "…""). Those are dropped or masked at any depth (causes, driver
 *   errors); code, constraint, table, column, routine and the stack stay, so a failure is still
 *   diagnosable.
 */

const SECRET_FIELDS = [
  'password',
  'newPassword',
  'currentPassword',
  'passwordHash',
  'password_hash',
  'refreshToken',
  'accessToken',
  'authorization',
  'token',
  'paymentToken',
  'paymentMethod',
  'secret',
  'email',
  'parameters',
];

export const REDACTED_PATHS: readonly string[] = SECRET_FIELDS.flatMap((field) => [field, `*.${field}`]);

export const REDACTION_CENSOR = '[redacted]';

/** Fields of database errors that quote values from the statement or the row. */
const VALUE_FIELDS = new Set(['parameters', 'detail', 'where', 'internalQuery', 'hint']);
/** Fields that may be kept verbatim: identifiers and codes, never values. */
const IDENTIFIER_FIELDS = ['constraint', 'table', 'column', 'schema', 'dataType'] as const;
const MAX_DEPTH = 5;

type Serialized = Record<string, unknown>;

/**
 * Errors as pino's standard serializer shows them (type, message, stack, own fields), except that
 * a cause stays a nested object (pino's would fold its message into the outer one), and every
 * value-bearing field of a database error, at any depth, is removed or masked.
 */
export function serializeError(value: unknown): unknown {
  if (value instanceof Error || isRecord(value)) return scrub(value, 0);
  return value;
}

function scrub(value: unknown, depth: number): unknown {
  if (depth > MAX_DEPTH) return '[too deep]';
  if (Array.isArray(value)) return value.map((item) => scrub(item, depth + 1));
  if (!(value instanceof Error) && !isRecord(value)) return value;
  const record = value as Serialized;
  const database = isDatabaseError(record);
  const identifiers = database ? identifiersOf(record) : [];
  const text = (field: unknown): unknown => (database && typeof field === 'string' ? maskQuotedValues(field, identifiers) : field);
  const out: Serialized = {};
  if (value instanceof Error) {
    out.type = value.constructor.name || value.name;
    out.message = text(value.message);
    out.stack = text(value.stack);
  }
  for (const [key, field] of Object.entries(record)) {
    if (key in out || (database && VALUE_FIELDS.has(key))) continue;
    out[key] = typeof field === 'string' ? (key === 'message' ? text(field) : field) : scrub(field, depth + 1);
  }
  if (value instanceof Error && value.cause !== undefined && !('cause' in out)) out.cause = scrub(value.cause, depth + 1);
  if (value instanceof AggregateError) out.aggregateErrors = value.errors.map((e: unknown) => scrub(e, depth + 1));
  return out;
}

/**
 * `Name: message` of an error for places that keep a string (a dead letter's x-error header, a
 * readiness detail), with the values a database error's message quotes masked as in logs.
 */
export function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const record = err as unknown as Serialized;
  const message = isDatabaseError(record) ? maskQuotedValues(err.message, identifiersOf(record)) : err.message;
  return `${err.name}: ${message}`;
}

/** A TypeORM QueryFailedError (query + parameters) or a pg DatabaseError (severity + SQLSTATE). */
function isDatabaseError(value: Serialized): boolean {
  if ('parameters' in value || 'driverError' in value || value.type === 'QueryFailedError' || value.name === 'QueryFailedError') return true;
  return typeof value.severity === 'string' && typeof value.code === 'string' && /^[0-9A-Z]{5}$/.test(value.code);
}

function identifiersOf(value: Serialized): string[] {
  const driver = isRecord(value.driverError) ? value.driverError : {};
  return IDENTIFIER_FIELDS.flatMap((key) => [value[key], driver[key]]).filter((v): v is string => typeof v === 'string');
}

/**
 * PostgreSQL quotes both identifiers and values in its messages; identifiers the error names
 * itself (constraint, table, column…) stay readable, anything else quoted becomes "…".
 */
function maskQuotedValues(text: string, identifiers: readonly string[]): string {
  return text.replace(/"((?:[^"\\\n]|\\.)*)"/g, (whole, inner: string) => (identifiers.includes(inner) ? whole : '"…"'));
}

function isRecord(value: unknown): value is Serialized {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
