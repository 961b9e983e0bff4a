import { RefreshToken } from '../../../src/domain/index.js';

const t0 = new Date('2026-03-01T12:00:00Z');
const later = (s: number) => new Date(t0.getTime() + s * 1000);

describe('refresh token family', () => {
  it('rotates: the successor shares the family and gets a fresh (sliding) expiry', () => {
    const first = RefreshToken.startFamily('user-1', 'h1', t0, 3600);
    const r = first.redeem('h2', later(60), 3600);
    expect(r.outcome).toBe('rotated');
    if (r.outcome !== 'rotated') return;
    expect(r.successor.familyId).toBe(first.familyId);
    expect(r.successor.userId).toBe('user-1');
    expect(r.successor.tokenHash).toBe('h2');
    expect(r.successor.expiresAt.toISOString()).toBe(later(3660).toISOString());
    expect(first.rotatedAt?.toISOString()).toBe(later(60).toISOString());
  });

  it('a rotated token presented again is reuse of the family', () => {
    const first = RefreshToken.startFamily('user-1', 'h1', t0, 3600);
    first.redeem('h2', later(1), 3600);
    expect(first.redeem('h3', later(2), 3600)).toEqual({ outcome: 'reused', familyId: first.familyId });
  });

  it('reuse wins over expiry and revocation (it is still evidence of theft)', () => {
    const first = RefreshToken.startFamily('user-1', 'h1', t0, 3600);
    first.redeem('h2', later(1), 3600);
    first.revoke(later(2));
    expect(first.redeem('h3', later(7200), 3600).outcome).toBe('reused');
  });

  it('rejects expired and revoked tokens without rotating them', () => {
    const expired = RefreshToken.startFamily('u', 'h1', t0, 3600);
    expect(expired.redeem('h2', later(3600), 3600)).toEqual({ outcome: 'rejected', reason: 'expired' });
    expect(expired.rotatedAt).toBeNull();
    const revoked = RefreshToken.startFamily('u', 'h1', t0, 3600);
    expect(revoked.revoke(later(1))).toBe(true);
    expect(revoked.revoke(later(2))).toBe(false);
    expect(revoked.redeem('h2', later(3), 3600)).toEqual({ outcome: 'rejected', reason: 'revoked' });
  });

  it('starts a new family per sign-in', () => {
    const a = RefreshToken.startFamily('u', 'h1', t0, 60);
    const b = RefreshToken.startFamily('u', 'h2', t0, 60);
    expect(a.familyId).not.toBe(b.familyId);
    expect(() => RefreshToken.startFamily('u', 'h', t0, 0)).toThrow(RangeError);
  });
});
