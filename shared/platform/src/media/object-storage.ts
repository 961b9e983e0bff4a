import type { Readable } from 'node:stream';
import { NotFoundError } from '@storytelling/kernel';

/** Inclusive byte positions, as in HTTP's Range and Content-Range. `end` open means "to the last byte". */
export interface ByteRange {
  start: number;
  end?: number;
}

export interface PutObjectOptions {
  contentType: string;
}

export interface PutObjectResult {
  size: number;
  etag?: string;
}

export interface ObjectHead {
  size: number;
  contentType: string;
  etag?: string;
  lastModified?: Date;
}

export interface StoredObject {
  body: Readable;
  /** The whole object's size, not the length of the range. */
  size: number;
  contentType: string;
  /** The inclusive range `body` carries; null when the whole object was asked for. */
  range: { start: number; end: number } | null;
}

/**
 * Where media bytes live (samples, narration segments, videos). Framework-free so domain-facing
 * application code can take it as a port; adapters: FilesystemObjectStorage (local default) and
 * S3ObjectStorage (S3, MinIO).
 */
export interface ObjectStorage {
  /** Stores (or replaces) an object; readers never see a half-written one. */
  put(key: string, body: Readable | Buffer, options: PutObjectOptions): Promise<PutObjectResult>;
  /** Throws ObjectNotFoundError, or RangeNotSatisfiableError when `range` starts past the end. */
  get(key: string, range?: ByteRange): Promise<StoredObject>;
  /** Throws ObjectNotFoundError. */
  head(key: string): Promise<ObjectHead>;
  /** Idempotent: deleting a missing object is not an error. */
  delete(key: string): Promise<void>;
  /** Deletes every object whose key starts with `prefix` (a user's erasure); answers how many. */
  deleteByPrefix(prefix: string): Promise<number>;
}

export class ObjectNotFoundError extends NotFoundError {
  constructor(readonly key: string) {
    super(`object ${key}`, 'OBJECT_NOT_FOUND');
  }
}

export class RangeNotSatisfiableError extends Error {
  constructor(
    readonly key: string,
    readonly size: number,
    readonly range: ByteRange,
  ) {
    super(`range ${range.start}-${range.end ?? ''} is outside object ${key} (${size} bytes)`);
    this.name = 'RangeNotSatisfiableError';
  }
}

/**
 * Clamps a requested range to an object of `size` bytes (an end past the last byte means "to the
 * end", as HTTP does); null when nothing of it can be served.
 */
export function resolveByteRange(range: ByteRange, size: number): { start: number; end: number } | null {
  if (!Number.isSafeInteger(range.start) || range.start < 0) return null;
  if (range.end !== undefined && (!Number.isSafeInteger(range.end) || range.end < range.start)) return null;
  if (range.start >= size) return null;
  return { start: range.start, end: Math.min(range.end ?? size - 1, size - 1) };
}
