import { ValidationError } from './errors.js';
import { isUuid } from './ids.js';

/**
 * Keyset pagination shared by every list of the fleet (API.md: `?limit=` 1..100, default 20;
 * `?cursor=`; `{items, nextCursor}`). Lists are newest first by (time, id).
 */

/** A position in a newest-first list: (time, id). */
export interface Keyset {
  at: Date;
  id: string;
}

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

export interface PageRequest {
  /** 0 or absent: the default (20). */
  limit?: number | undefined;
  cursor?: string | undefined;
}

export interface Page<T> {
  items: T[];
  /** Opaque; absent on the last page. */
  nextCursor?: string;
}

/** API.md: `?limit=` 1..100, default 20. @throws ValidationError */
export function pageSize(limit: number | undefined): number {
  if (limit === undefined || limit === 0) return DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
    throw new ValidationError('invalid limit', [{ field: 'limit', message: `must be an integer from 1 to ${MAX_PAGE_SIZE}` }]);
  }
  return limit;
}

/**
 * Cursors are opaque to clients: base64url of the JSON `[<ISO time of the last item>, <its id>]`
 * (docs/adr/0007-story.md). The list continues strictly after that (time, id) pair in
 * newest-first order, so a page never repeats an item and inserts made meanwhile never shift it.
 */
export function encodeCursor(keyset: Keyset): string {
  return Buffer.from(JSON.stringify([keyset.at.toISOString(), keyset.id]), 'utf8').toString('base64url');
}

/**
 * The one decoder of list cursors (services and the gateway): every decoded value is checked in
 * full, so nothing out of range reaches SQL. @throws ValidationError (INVALID_CURSOR) for
 * anything encodeCursor did not produce.
 */
export function decodeCursor(cursor: string | undefined): Keyset | undefined {
  if (cursor === undefined || cursor === '') return undefined;
  const invalid = () => new ValidationError('invalid cursor', [{ field: 'cursor', message: 'is not a cursor this list returned' }], 'INVALID_CURSOR');
  if (cursor.length > 200 || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw invalid();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (!Array.isArray(parsed) || parsed.length !== 2) throw invalid();
  const [at, id] = parsed as unknown[];
  if (typeof at !== 'string' || !isUuid(id) || !CURSOR_TIME.test(at)) throw invalid();
  const time = new Date(at);
  // toISOString() round trip: a real date (no 02-30). Year 0000 is not a PostgreSQL timestamp.
  if (Number.isNaN(time.getTime()) || time.toISOString() !== at || at.startsWith('0000')) throw invalid();
  return { at: time, id: id.toLowerCase() };
}

/**
 * What encodeCursor writes for any time the fleet stores: a 4-digit year, so the value is always
 * within PostgreSQL's timestamptz range ("-005000-…" or "+275760-…" parse in JS but not in SQL).
 */
const CURSOR_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** Builds a page from `limit + 1` fetched rows: the extra row only says there is a next page. */
export function toPage<R, T>(rows: readonly R[], limit: number, keyOf: (row: R) => Keyset, view: (row: R) => T): Page<T> {
  const more = rows.length > limit;
  const pageRows = more ? rows.slice(0, limit) : rows;
  const page: Page<T> = { items: pageRows.map(view) };
  if (more) page.nextCursor = encodeCursor(keyOf(pageRows[pageRows.length - 1]!));
  return page;
}
