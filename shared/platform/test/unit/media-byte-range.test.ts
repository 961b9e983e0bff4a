import { parseRangeHeader, type RangeRequest } from '../../src/media/index.js';

const whole: RangeRequest = { kind: 'whole' };
const unsatisfiable: RangeRequest = { kind: 'unsatisfiable' };
const partial = (start: number, end: number): RangeRequest => ({ kind: 'partial', start, end });

describe('media: parseRangeHeader', () => {
  const SIZE = 1000;

  it.each<[string, string | undefined | null, RangeRequest]>([
    // no Range at all
    ['absent', undefined, whole],
    ['null', null, whole],
    ['empty', '', whole],
    // bytes=a-b
    ['first byte', 'bytes=0-0', partial(0, 0)],
    ['first ten', 'bytes=0-9', partial(0, 9)],
    ['middle', 'bytes=100-199', partial(100, 199)],
    ['exactly the last byte', 'bytes=999-999', partial(999, 999)],
    ['the whole object as a range', 'bytes=0-999', partial(0, 999)],
    ['end past the object is clamped', 'bytes=500-5000', partial(500, 999)],
    ['huge end is clamped', 'bytes=0-99999999999999999999999', partial(0, 999)],
    ['start at the size', 'bytes=1000-1001', unsatisfiable],
    ['start past the size', 'bytes=2000-3000', unsatisfiable],
    ['last before first is invalid: ignored', 'bytes=10-5', whole],
    // bytes=a-
    ['open from zero', 'bytes=0-', partial(0, 999)],
    ['open from the middle', 'bytes=400-', partial(400, 999)],
    ['open from the last byte', 'bytes=999-', partial(999, 999)],
    ['open from the size', 'bytes=1000-', unsatisfiable],
    ['open from a huge start', 'bytes=99999999999999999999-', unsatisfiable],
    // bytes=-n
    ['last byte', 'bytes=-1', partial(999, 999)],
    ['last 100 bytes', 'bytes=-100', partial(900, 999)],
    ['suffix as long as the object', 'bytes=-1000', partial(0, 999)],
    ['suffix longer than the object', 'bytes=-5000', partial(0, 999)],
    ['zero-length suffix', 'bytes=-0', unsatisfiable],
    // spelling
    ['unit is case-insensitive', 'Bytes=0-9', partial(0, 9)],
    ['whitespace around the spec', 'bytes= 0-9 ', partial(0, 9)],
    ['surrounding whitespace', '  bytes=0-9  ', partial(0, 9)],
    ['leading zeros', 'bytes=007-010', partial(7, 10)],
    // ignored (RFC 9110: a server may ignore a Range it does not support or cannot parse)
    ['several ranges', 'bytes=0-9,20-29', whole],
    ['several suffixes', 'bytes=-10,-20', whole],
    ['another unit', 'items=0-9', whole],
    ['no unit', '0-9', whole],
    ['no dash', 'bytes=10', whole],
    ['neither end', 'bytes=-', whole],
    ['negative start', 'bytes=--5', whole],
    ['signed number', 'bytes=+1-5', whole],
    ['decimals', 'bytes=1.5-3', whole],
    ['hex', 'bytes=0x10-0x20', whole],
    ['space inside a number', 'bytes=1 0-20', whole],
    ['missing "="', 'bytes 0-9', whole],
    ['garbage', 'lorem ipsum', whole],
  ])('%s: %p', (_name, header, expected) => {
    expect(parseRangeHeader(header, SIZE)).toEqual(expected);
  });

  it('an empty object satisfies no range', () => {
    expect(parseRangeHeader('bytes=0-', 0)).toEqual(unsatisfiable);
    expect(parseRangeHeader('bytes=0-0', 0)).toEqual(unsatisfiable);
    expect(parseRangeHeader('bytes=-1', 0)).toEqual(unsatisfiable);
    expect(parseRangeHeader(undefined, 0)).toEqual(whole);
  });

  it('a one-byte object', () => {
    expect(parseRangeHeader('bytes=0-', 1)).toEqual(partial(0, 0));
    expect(parseRangeHeader('bytes=-5', 1)).toEqual(partial(0, 0));
    expect(parseRangeHeader('bytes=1-', 1)).toEqual(unsatisfiable);
  });

  it('refuses a size that is not a byte count', () => {
    expect(() => parseRangeHeader('bytes=0-1', -1)).toThrow(/non-negative integer/);
    expect(() => parseRangeHeader('bytes=0-1', 1.5)).toThrow(/non-negative integer/);
    expect(() => parseRangeHeader('bytes=0-1', Number.NaN)).toThrow(/non-negative integer/);
  });
});
