import { FixedClock } from '@storytelling/kernel';
import { InvalidObjectKeyError, UrlSigner } from '../../src/media/index.js';

const CURRENT = 'current-secret-0123456789abcdef0123456789';
const PREVIOUS = 'previous-secret-0123456789abcdef012345678';
const KEY = 'narration/voices/7f3c/samples/s1.ogg';
const START = new Date('2026-12-01T12:00:00.000Z');

function parse(link: string): { key: string; expires: string | null; signature: string | null } {
  const url = new URL(link, 'http://files.test');
  return {
    key: decodeURIComponent(url.pathname.replace(/^\/files\//, '')),
    expires: url.searchParams.get('expires'),
    signature: url.searchParams.get('signature'),
  };
}

describe('media: UrlSigner', () => {
  let clock: FixedClock;
  const signer = (secrets: string[] = [CURRENT]) => new UrlSigner({ secrets, clock });

  beforeEach(() => {
    clock = new FixedClock(START);
  });

  it('signs /files/<key>?expires=<epoch seconds>&signature=<base64url>', () => {
    const link = signer().sign(KEY, 60);
    expect(link).toMatch(/^\/files\/narration\/voices\/7f3c\/samples\/s1\.ogg\?expires=\d+&signature=[A-Za-z0-9_-]{43}$/);
    expect(parse(link).expires).toBe(String(START.getTime() / 1000 + 60));
  });

  it('defaults to a 15-minute link and honours another base path', () => {
    const link = new UrlSigner({ secrets: [CURRENT], clock, basePath: '/api/v1/files/' }).sign(KEY);
    expect(link.startsWith('/api/v1/files/narration/')).toBe(true);
    expect(parse(link.replace('/api/v1', '')).expires).toBe(String(START.getTime() / 1000 + 900));
  });

  it('ok: an untouched link within its lifetime', () => {
    const s = signer();
    const { key, expires, signature } = parse(s.sign(KEY, 60));
    expect(key).toBe(KEY);
    expect(s.verify(key, expires, signature)).toBe('ok');
    clock.advance(59_999);
    expect(s.verify(key, expires, signature)).toBe('ok');
    expect(s.verify(key, Number(expires), signature)).toBe('ok'); // a number is as good as its text
  });

  it('expired: a genuine link at or after its expiry', () => {
    const s = signer();
    const { expires, signature } = parse(s.sign(KEY, 60));
    clock.advance(60_000);
    expect(s.verify(KEY, expires, signature)).toBe('expired');
    expect(s.verify(KEY, expires, signature, new Date(START.getTime() + 3_600_000))).toBe('expired');
    expect(s.verify(KEY, expires, signature, START)).toBe('ok'); // `now` given explicitly wins
  });

  it.each([
    ['no expires', undefined, 'sig'],
    ['null expires', null, 'sig'],
    ['empty expires', '', 'sig'],
    ['no signature', '1796126400', undefined],
    ['null signature', '1796126400', null],
    ['empty signature', '1796126400', ''],
    ['neither', undefined, undefined],
  ])('missing: %s', (_name, expires, signature) => {
    expect(signer().verify(KEY, expires, signature)).toBe('missing');
  });

  it('tampered: any change to the key, the expiry or the signature', () => {
    const s = signer();
    const { expires, signature } = parse(s.sign(KEY, 60));
    const sig = signature!;
    const flipped = `${sig.slice(0, 10)}${sig[10] === 'A' ? 'B' : 'A'}${sig.slice(11)}`;
    expect(s.verify('narration/voices/7f3c/samples/s2.ogg', expires, sig)).toBe('tampered');
    expect(s.verify(`${KEY}x`, expires, sig)).toBe('tampered');
    expect(s.verify(KEY, String(Number(expires) + 3600), sig)).toBe('tampered'); // extended lifetime
    expect(s.verify(KEY, expires, flipped)).toBe('tampered');
    expect(s.verify(KEY, expires, sig.slice(0, -1))).toBe('tampered'); // wrong length
    expect(s.verify(KEY, expires, `${sig}AAAA`)).toBe('tampered');
    expect(s.verify(KEY, expires, 'not base64url!')).toBe('tampered');
    expect(s.verify(KEY, expires, `${sig.slice(0, -2)}==`)).toBe('tampered');
    expect(s.verify(KEY, 'tomorrow', sig)).toBe('tampered');
    expect(s.verify(KEY, '-1', sig)).toBe('tampered');
    expect(s.verify(KEY, `${expires}.0`, sig)).toBe('tampered');
    expect(s.verify(KEY, '1e10', sig)).toBe('tampered');
  });

  it('tampered wins over expired: an altered link says nothing about its age', () => {
    const s = signer();
    const { expires, signature } = parse(s.sign(KEY, 60));
    clock.advance(3_600_000);
    expect(s.verify(KEY, String(Number(expires) + 7200), signature)).toBe('tampered');
  });

  it('a link signed with another secret is tampered', () => {
    const { expires, signature } = parse(new UrlSigner({ secrets: ['someone-elses-secret-0123456789abcdef'], clock }).sign(KEY, 60));
    expect(signer().verify(KEY, expires, signature)).toBe('tampered');
  });

  it('rotation: the first secret signs, every secret verifies', () => {
    const before = signer([PREVIOUS]);
    const during = signer([CURRENT, PREVIOUS]);
    const after = signer([CURRENT]);
    const old = parse(before.sign(KEY, 600));
    const fresh = parse(during.sign(KEY, 600));
    expect(during.verify(KEY, old.expires, old.signature)).toBe('ok'); // links handed out before the rotation
    expect(during.verify(KEY, fresh.expires, fresh.signature)).toBe('ok');
    expect(after.verify(KEY, fresh.expires, fresh.signature)).toBe('ok'); // new links are signed with the new secret
    expect(before.verify(KEY, fresh.expires, fresh.signature)).toBe('tampered');
    expect(after.verify(KEY, old.expires, old.signature)).toBe('tampered'); // the old secret retired
  });

  it('refuses weak configuration and bad input without echoing secrets', () => {
    expect(() => new UrlSigner({ secrets: [] })).toThrow(/at least one secret/);
    let message = '';
    try {
      new UrlSigner({ secrets: [CURRENT, 'short-secret'] });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/secret #2 is shorter than 32/);
    expect(message).not.toContain('short-secret');
    expect(() => signer().sign(KEY, 0)).toThrow(/positive integer/);
    expect(() => signer().sign(KEY, 1.5)).toThrow(/positive integer/);
    expect(() => signer().sign('../etc/passwd', 60)).toThrow(InvalidObjectKeyError);
  });
});
