/**
 * What a `Range` request header asks of an object of a known size (RFC 9110 § 14). Players seek
 * with one range; several ranges (multipart/byteranges) are not worth serving, and the RFC lets
 * a server ignore any Range it does not handle and answer 200 with the whole object.
 */
export type RangeRequest =
  | { kind: 'whole' } // no Range, or one to ignore → 200
  | { kind: 'partial'; start: number; end: number } // inclusive → 206
  | { kind: 'unsatisfiable' }; // → 416 with Content-Range: bytes */size

const WHOLE: RangeRequest = { kind: 'whole' };
const UNSATISFIABLE: RangeRequest = { kind: 'unsatisfiable' };
// "bytes=" then one spec: first-last, first-, or -suffix. Digits only (no signs, no spaces inside).
const SINGLE = /^bytes=[ \t]*(\d*)-(\d*)[ \t]*$/i;

export function parseRangeHeader(header: string | undefined | null, size: number): RangeRequest {
  if (!Number.isSafeInteger(size) || size < 0) throw new Error(`object size must be a non-negative integer, got ${size}`);
  if (typeof header !== 'string') return WHOLE;
  const match = SINGLE.exec(header.trim());
  if (!match) return WHOLE; // other units, several ranges or malformed: ignored
  const [, first = '', last = ''] = match;
  if (first === '' && last === '') return WHOLE; // "bytes=-" is not a range
  if (first === '') {
    // Suffix: the last n bytes. "-0" asks for nothing, which no object can satisfy.
    const suffix = Number(last);
    if (suffix === 0 || size === 0) return UNSATISFIABLE;
    return { kind: 'partial', start: Math.max(size - suffix, 0), end: size - 1 };
  }
  const start = Number(first);
  if (last !== '' && Number(last) < start) return WHOLE; // invalid (last < first): ignored, per RFC
  if (start >= size) return UNSATISFIABLE;
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  return { kind: 'partial', start, end };
}
