/**
 * Object keys name stored media (`narration/<voiceId>/samples/<sampleId>.ogg`). They become file
 * paths in the filesystem adapter and URL paths in signed links, so they are restricted to a
 * charset that needs no escaping anywhere and cannot climb out of the storage root.
 */
const SEGMENT = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/;
const MAX_KEY_BYTES = 1024; // S3's own limit
// Filesystems cap a name at 255 bytes; the filesystem adapter adds up to 42 for its sidecars.
const MAX_SEGMENT_LENGTH = 200;

export class InvalidObjectKeyError extends Error {
  constructor(
    readonly key: string,
    reason: string,
  ) {
    super(`invalid object key ${JSON.stringify(key.length > 200 ? `${key.slice(0, 200)}…` : key)}: ${reason}`);
    this.name = 'InvalidObjectKeyError';
  }
}

function segmentProblem(segment: string): string | null {
  if (segment === '') return 'empty segment (leading, trailing or double "/")';
  if (segment === '.' || segment === '..') return `"${segment}" segments are not allowed`;
  // A leading dot is reserved: the filesystem adapter keeps its sidecars and temp files there.
  if (segment.startsWith('.')) return 'a segment may not start with "."';
  if (segment.length > MAX_SEGMENT_LENGTH) return `a segment may be at most ${MAX_SEGMENT_LENGTH} characters`;
  if (!SEGMENT.test(segment)) return 'only letters, digits, ".", "_", "-" and "/" between segments are allowed';
  return null;
}

/** Throws InvalidObjectKeyError unless `key` is a safe, relative object key. */
export function assertObjectKey(key: string): void {
  if (typeof key !== 'string' || key.length === 0) throw new InvalidObjectKeyError(String(key), 'empty');
  if (Buffer.byteLength(key) > MAX_KEY_BYTES) throw new InvalidObjectKeyError(key, `longer than ${MAX_KEY_BYTES} bytes`);
  if (key.startsWith('/')) throw new InvalidObjectKeyError(key, 'must not start with "/"');
  for (const segment of key.split('/')) {
    const problem = segmentProblem(segment);
    if (problem) throw new InvalidObjectKeyError(key, problem);
  }
}

/**
 * A prefix for deleteByPrefix: a key, or a key followed by "/". Never empty: erasing a user's
 * files must not be one typo away from erasing everyone's.
 */
export function assertObjectKeyPrefix(prefix: string): void {
  if (typeof prefix !== 'string' || prefix.length === 0) throw new InvalidObjectKeyError(String(prefix), 'an empty prefix would match every object');
  assertObjectKey(prefix.endsWith('/') ? prefix.slice(0, -1) : prefix);
}
