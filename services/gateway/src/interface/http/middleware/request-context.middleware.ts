import { randomFillSync } from 'node:crypto';
import { isValidIdempotencyKey, runWithContext, type RequestContext } from '@storytelling/platform';
import { ProblemException } from '../problem/problem.js';
import { deferProblem } from './deferred-problem.js';
import type { RawMiddleware } from './raw-middleware.js';

export const CORRELATION_HEADER = 'x-correlation-id';
export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';

/** A client's correlation id is accepted when it is short and made of safe characters. */
const SANE_CORRELATION_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

export function acceptCorrelationId(value: unknown): string | undefined {
  return typeof value === 'string' && SANE_CORRELATION_ID.test(value) ? value : undefined;
}

/**
 * Random hex from a pool refilled from the CSPRNG 4 KiB at a time (as crypto.randomUUID does):
 * two randomBytes() calls per request (span + trace id) were a visible per-request cost
 * (docs/benchmarks.md, bench:stories). Trace ids are identifiers, not secrets.
 */
const RANDOM_POOL = Buffer.allocUnsafe(4096);
let randomOffset = RANDOM_POOL.length;
function randomHex(bytes: number): string {
  if (randomOffset + bytes > RANDOM_POOL.length) {
    randomFillSync(RANDOM_POOL);
    randomOffset = 0;
  }
  const hex = RANDOM_POOL.toString('hex', randomOffset, randomOffset + bytes);
  randomOffset += bytes;
  return hex;
}

const VARIANT = '89ab';

/** A fresh correlation id: an RFC 9562 UUIDv7 like the kernel's `uuidv7`, its random bits from the pool. */
export function correlationUuidv7(now: number = Date.now()): string {
  const ms = now.toString(16).padStart(12, '0').slice(-12);
  const r = randomHex(10);
  return `${ms.slice(0, 8)}-${ms.slice(8)}-7${r.slice(0, 3)}-${VARIANT[Number.parseInt(r[3]!, 16) & 3]}${r.slice(4, 7)}-${r.slice(7, 19)}`;
}

/** W3C trace context: keep a valid incoming trace id, start a new span; otherwise start a trace. */
export function nextTraceparent(incoming: unknown): string {
  const span = randomHex(8);
  if (typeof incoming === 'string') {
    const m = TRACEPARENT.exec(incoming.trim());
    if (m && !/^0+$/.test(m[1]!) && !/^0+$/.test(m[2]!)) return `00-${m[1]}-${span}-${m[3]}`;
  }
  return `00-${randomHex(16)}-${span}-01`;
}

/**
 * First middleware of every request (API, docs, health): fixes the correlation id, echoes it on
 * the response (errors included, since the header is set before anything can fail) and runs the
 * rest of the request inside the platform request context, so logs and outgoing gRPC metadata
 * carry it. The bearer token is added to the context by the auth guard once it is verified.
 * A POST's `Idempotency-Key` goes into the context too (→ gRPC metadata `idempotency-key`); the
 * service that owns the effect honours it (docs/adr/0015-idempotency-keys.md). A malformed one is
 * 400 INVALID_IDEMPOTENCY_KEY, answered once the route's guards have run (401 comes first).
 */
export const requestContextMiddleware: RawMiddleware = (req, res, next): void => {
  const correlationId = acceptCorrelationId(req.headers[CORRELATION_HEADER]) ?? correlationUuidv7();
  res.setHeader(CORRELATION_HEADER, correlationId);
  const context: RequestContext = { correlationId, traceparent: nextTraceparent(req.headers.traceparent) };
  const idempotencyKey = req.method === 'POST' ? req.headers[IDEMPOTENCY_KEY_HEADER] : undefined;
  if (idempotencyKey !== undefined) {
    if (isValidIdempotencyKey(idempotencyKey)) context.idempotencyKey = idempotencyKey;
    else {
      deferProblem(
        req,
        ProblemException.of('INVALID_IDEMPOTENCY_KEY', 'Idempotency-Key must be 1 to 255 visible ASCII characters.', {}, [{ field: 'Idempotency-Key', message: 'must be 1..255 visible ASCII characters' }]),
      );
    }
  }
  runWithContext(context, () => next());
};
