import { jsonNestsDeeperThan } from '../../src/json/index.js';

const bytes = (s: string) => Buffer.from(s, 'utf8');

describe('jsonNestsDeeperThan (the raw-body depth scan)', () => {
  it('counts arrays and objects together, up to the limit inclusive', () => {
    expect(jsonNestsDeeperThan(bytes('[{"a":[1]}]'), 3)).toBe(false);
    expect(jsonNestsDeeperThan(bytes('[{"a":[[1]]}]'), 3)).toBe(true);
    expect(jsonNestsDeeperThan(bytes('[[]],[[]],[[]]'), 2)).toBe(false);
  });

  it('ignores brackets inside strings, escaped quotes and backslashes included', () => {
    expect(jsonNestsDeeperThan(bytes('{"a":"[[[[{{{{"}'), 1)).toBe(false);
    expect(jsonNestsDeeperThan(bytes('{"a":"\\"[[[[","b":"\\\\"}'), 1)).toBe(false);
    expect(jsonNestsDeeperThan(bytes('{"a":"\\\\",[[["'), 1)).toBe(true);
  });

  it('is not fooled by multi-byte UTF-8 characters', () => {
    expect(jsonNestsDeeperThan(bytes('{"é[":"日本[[[語"}'), 1)).toBe(false);
  });

  it('answers at the first level too deep, whatever follows (a 400,000-deep body)', () => {
    expect(jsonNestsDeeperThan(bytes('['.repeat(400_000) + ']'.repeat(400_000)), 32)).toBe(true);
    expect(jsonNestsDeeperThan(bytes('['.repeat(33) + '\u0000 not json at all'), 32)).toBe(true);
  });
});
