import {
  InvalidContentTypeError,
  InvalidObjectKeyError,
  assertContentType,
  assertObjectKey,
  assertObjectKeyPrefix,
  contentTypeForKey,
  resolveByteRange,
} from '../../src/media/index.js';

describe('media: object keys', () => {
  it.each(['a', 'a.wav', 'narration/voices/7f3c-11/samples/s_1.ogg', 'users/42/file.tar.gz', '0/1/2', `${'x'.repeat(200)}/y`])('accepts %s', (key) => {
    expect(() => assertObjectKey(key)).not.toThrow();
  });

  it.each<[string, RegExp]>([
    ['', /empty/],
    ['/abs/path', /must not start with "\/"/],
    ['../etc/passwd', /".." segments/],
    ['a/../b', /".." segments/],
    ['a/./b', /"\." segments/],
    ['a//b', /empty segment/],
    ['a/b/', /empty segment/],
    ['a/.hidden', /may not start with "\."/],
    ['a b', /only letters/],
    ['a\\b', /only letters/],
    ['a?b', /only letters/],
    ['a%2F..', /only letters/],
    ['naïve.wav', /only letters/],
    ['a\nb', /only letters/],
    ['a\0b', /only letters/],
    [`${'x'.repeat(201)}`, /at most 200/],
    [Array.from({ length: 200 }, () => 'abcdef').join('/'), /longer than 1024 bytes/],
  ])('rejects %p with a clear reason', (key, reason) => {
    expect(() => assertObjectKey(key)).toThrow(InvalidObjectKeyError);
    expect(() => assertObjectKey(key)).toThrow(reason);
  });

  it('prefixes: a key or a folder, never empty', () => {
    expect(() => assertObjectKeyPrefix('users/42/')).not.toThrow();
    expect(() => assertObjectKeyPrefix('users/4')).not.toThrow();
    expect(() => assertObjectKeyPrefix('')).toThrow(/every object/);
    expect(() => assertObjectKeyPrefix('/')).toThrow(InvalidObjectKeyError);
    expect(() => assertObjectKeyPrefix('../')).toThrow(InvalidObjectKeyError);
    expect(() => assertObjectKeyPrefix('users//')).toThrow(InvalidObjectKeyError);
  });
});

describe('media: content types', () => {
  it.each(['audio/wav', 'audio/ogg; codecs=opus', 'video/mp4', 'image/jpeg', 'text/plain; charset="utf-8"', 'application/vnd.api+json'])('accepts %s', (type) => {
    expect(() => assertContentType(type)).not.toThrow();
  });

  it.each(['', 'audio', 'audio/', '/wav', 'audio/wav\r\nSet-Cookie: x=1', 'audio/wav; x', 'audio wav', 'a'.repeat(300)])('rejects %p (it becomes a response header)', (type) => {
    expect(() => assertContentType(type)).toThrow(InvalidContentTypeError);
  });

  it('derives a type from the extension when none was stored', () => {
    expect(contentTypeForKey('a/b.WAV')).toBe('audio/wav');
    expect(contentTypeForKey('a/b.ogg')).toBe('audio/ogg');
    expect(contentTypeForKey('a/b.mp4')).toBe('video/mp4');
    expect(contentTypeForKey('a/b')).toBe('application/octet-stream');
  });
});

describe('media: resolveByteRange', () => {
  it('clamps the end, refuses starts past the end and malformed ranges', () => {
    expect(resolveByteRange({ start: 0 }, 10)).toEqual({ start: 0, end: 9 });
    expect(resolveByteRange({ start: 2, end: 4 }, 10)).toEqual({ start: 2, end: 4 });
    expect(resolveByteRange({ start: 2, end: 400 }, 10)).toEqual({ start: 2, end: 9 });
    expect(resolveByteRange({ start: 10 }, 10)).toBeNull();
    expect(resolveByteRange({ start: 0 }, 0)).toBeNull();
    expect(resolveByteRange({ start: 5, end: 4 }, 10)).toBeNull();
    expect(resolveByteRange({ start: -1 }, 10)).toBeNull();
    expect(resolveByteRange({ start: 0.5 }, 10)).toBeNull();
  });
});
