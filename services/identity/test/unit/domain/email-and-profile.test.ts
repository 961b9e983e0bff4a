import { ValidationError } from '@storytelling/kernel';
import { Email, assertAcceptablePassword, validateProfileChanges } from '../../../src/domain/index.js';

describe('Email', () => {
  it('normalises to lower case and trims', () => {
    expect(Email.parse('  Ann.Smith+stories@Example.COM ').value).toBe('ann.smith+stories@example.com');
    expect(Email.parse('ANN@example.com').equals(Email.parse('ann@EXAMPLE.com'))).toBe(true);
  });

  it.each([
    '',
    'ann',
    'ann@',
    '@example.com',
    'ann@example',
    'ann@@example.com',
    'ann..smith@example.com',
    '.ann@example.com',
    'ann.@example.com',
    'ann smith@example.com',
    'ann@-example.com',
    'ann@example.c',
    'ann@exa_mple.com',
    `${'a'.repeat(65)}@example.com`,
    `ann@${'a'.repeat(250)}.com`,
  ])('rejects %j with a field error', (raw) => {
    const err = (() => {
      try {
        Email.parse(raw);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).fieldErrors[0]!.field).toBe('email');
    expect(Email.tryParse(raw)).toBeUndefined();
  });

  it.each(['a@b.co', 'o\'brien@example.ie', 'x@sub.domain.example.org', 'user@xn--bcher-kva.example'])('accepts %s', (raw) => {
    expect(Email.tryParse(raw)?.value).toBe(raw.toLowerCase());
  });
});

describe('password policy', () => {
  it('wants 10 to 256 characters, counted as code points', () => {
    expect(() => assertAcceptablePassword('123456789')).toThrow(ValidationError);
    expect(() => assertAcceptablePassword('1234567890')).not.toThrow();
    expect(() => assertAcceptablePassword('😀'.repeat(9))).toThrow(/too short/); // 18 UTF-16 units, 9 characters
    expect(() => assertAcceptablePassword('x'.repeat(256))).not.toThrow();
    expect(() => assertAcceptablePassword('x'.repeat(257))).toThrow(/too long/);
    expect(() => assertAcceptablePassword(undefined)).toThrow(ValidationError);
  });
});

describe('profile changes', () => {
  it('normalises language tags to canonical BCP 47 case', () => {
    expect(validateProfileChanges({ language: 'PT-br' })).toEqual({ language: 'pt-BR' });
    expect(validateProfileChanges({ language: 'zh-hant-tw' })).toEqual({ language: 'zh-Hant-TW' });
  });

  it('accepts http and https image URLs and clears with empty or null', () => {
    expect(validateProfileChanges({ profileImageUrl: 'https://cdn.example.com/a.png' })).toEqual({
      profileImageUrl: 'https://cdn.example.com/a.png',
    });
    expect(validateProfileChanges({ profileImageUrl: 'http://example.com/a.png' }).profileImageUrl).toBe('http://example.com/a.png');
    expect(validateProfileChanges({ profileImageUrl: '' })).toEqual({ profileImageUrl: null });
    expect(validateProfileChanges({ firstName: null, lastName: '' })).toEqual({ firstName: null, lastName: null });
  });

  it('lists every bad field in one error', () => {
    try {
      validateProfileChanges({
        displayName: '   ',
        language: 'english please',
        profileImageUrl: 'javascript:alert(1)',
        firstName: 'x'.repeat(101),
        lastName: 'bad\u0007bell',
      });
      throw new Error('expected a ValidationError');
    } catch (err) {
      expect(err).toBeInstanceOf(ValidationError);
      expect((err as ValidationError).fieldErrors.map((f) => f.field).sort()).toEqual([
        'displayName',
        'firstName',
        'language',
        'lastName',
        'profileImageUrl',
      ]);
    }
  });

  it.each(['ftp://example.com/a.png', '/relative.png', 'https://user:pw@example.com/a.png', 'not a url', 'https://'])(
    'rejects image URL %j',
    (url) => {
      expect(() => validateProfileChanges({ profileImageUrl: url })).toThrow(ValidationError);
    },
  );

  it('measures an image URL as it is stored: percent-encoded, so it fits varchar(500)', () => {
    const url = `https://example.com/${'é'.repeat(120)}`;
    expect(url.length).toBeLessThan(500);
    expect(() => validateProfileChanges({ profileImageUrl: url })).toThrow(ValidationError);
    const fits = `https://example.com/${'é'.repeat(80)}`;
    expect(validateProfileChanges({ profileImageUrl: fits }).profileImageUrl).toHaveLength(20 + 80 * 6);
  });

  it.each(['e', 'english', 'en-', '123', 'en_US'])('rejects language %j', (language) => {
    expect(() => validateProfileChanges({ language })).toThrow(ValidationError);
  });
});
