import { createHash } from 'node:crypto';
import { ConflictError } from '@storytelling/kernel';
import type { EntityManager } from 'typeorm';
import { currentContext } from '../context/request-context.js';

/** How long a key is remembered (API.md: 24 h). */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;

export interface IdempotentRequest {
  /** What the key guards, e.g. `story.CreateStory`; the same key may be used once per scope. */
  scope: string;
  /** Who sent it (user id; `anonymous` for public calls): keys of different callers never meet. */
  principal: string;
  /** The request as the service understood it; its SHA-256 decides "same request". */
  body: unknown;
}

export interface IdempotencyOptions<T> {
  /** Rebuilds a replayed result from its stored JSON (e.g. ISO strings back to Dates). Default: as stored. */
  revive?: (stored: unknown) => T;
  /** The key; default currentContext().idempotencyKey. */
  key?: string;
  /** Clock, for tests. */
  now?: () => Date;
  ttlMs?: number;
}

/** The same key was used before for a different request (→ 409). */
export class IdempotencyKeyReusedError extends ConflictError {
  constructor() {
    super('IDEMPOTENCY_KEY_REUSED', 'this Idempotency-Key was used for a different request');
  }
}

interface StoredKey {
  fingerprint: string;
  response: unknown;
  expired: boolean;
}

/**
 * Runs `work` at most once per (principal, scope, Idempotency-Key) within 24 h, inside the
 * caller's transaction `tx`, and answers a replay with the first result.
 *
 * - No key in the request context: just `work()`.
 * - First use: the key row is inserted BEFORE the work, so a concurrent transaction with the same
 *   key blocks on the primary key until this one ends, then replays (commit) or runs (rollback).
 * - Same key, same body: the stored result, without running `work`.
 * - Same key, other body: IdempotencyKeyReusedError (conflict IDEMPOTENCY_KEY_REUSED → 409).
 * - An expired row is taken over as if new.
 * The result must be JSON-serialisable (use `revive` for Dates); failures are not remembered:
 * they roll the transaction (and the key) back, so a retry runs again.
 */
export async function withIdempotency<T>(
  tx: EntityManager,
  request: IdempotentRequest,
  work: () => Promise<T>,
  options: IdempotencyOptions<T> = {},
): Promise<T> {
  const key = options.key ?? currentContext()?.idempotencyKey;
  if (key === undefined || key === '') return work();
  const now = (options.now ?? (() => new Date()))();
  const expiresAt = new Date(now.getTime() + (options.ttlMs ?? IDEMPOTENCY_TTL_MS));
  const fingerprint = requestFingerprint(request.body);
  const id = [request.principal, request.scope, key];

  const inserted: unknown[] = await tx.query(
    `INSERT INTO idempotency_keys (principal, scope, key, fingerprint, created_at, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (principal, scope, key) DO NOTHING
     RETURNING key`,
    [...id, fingerprint, now, expiresAt],
  );
  if (inserted.length === 0) {
    const stored = await readKey(tx, id, now);
    if (stored && !stored.expired) {
      if (stored.fingerprint !== fingerprint) throw new IdempotencyKeyReusedError();
      return options.revive ? options.revive(stored.response) : (stored.response as T);
    }
    // Expired (or swept between the two statements): start over under this request.
    await tx.query(
      `INSERT INTO idempotency_keys (principal, scope, key, fingerprint, created_at, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (principal, scope, key) DO UPDATE
         SET fingerprint = EXCLUDED.fingerprint, response = NULL, created_at = EXCLUDED.created_at, expires_at = EXCLUDED.expires_at`,
      [...id, fingerprint, now, expiresAt],
    );
  }
  const result = await work();
  await tx.query(`UPDATE idempotency_keys SET response = $4::jsonb WHERE principal = $1 AND scope = $2 AND key = $3`, [
    ...id,
    JSON.stringify(result ?? null),
  ]);
  return result;
}

async function readKey(tx: EntityManager, id: string[], now: Date): Promise<StoredKey | undefined> {
  const rows: Array<{ fingerprint: string; response: unknown; expired: boolean }> = await tx.query(
    `SELECT fingerprint, response, expires_at <= $4 AS expired FROM idempotency_keys
     WHERE principal = $1 AND scope = $2 AND key = $3 FOR UPDATE`,
    [...id, now],
  );
  return rows[0];
}

/** SHA-256 (hex) of the request body as canonical JSON (object keys sorted), so key order does not matter. */
export function requestFingerprint(body: unknown): string {
  return createHash('sha256').update(canonicalJson(body)).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (value === undefined) return 'null';
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}
