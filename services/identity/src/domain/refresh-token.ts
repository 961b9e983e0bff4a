import { uuidv7 } from '@storytelling/kernel';

/**
 * Refresh tokens rotate: each use returns a new token and retires the one presented. All tokens
 * descending from one sign-in form a family. A retired (rotated) token presented again means
 * two parties hold the family's tokens, so the whole family is revoked (RFC 6819 §5.2.2.3,
 * OAuth 2.0 Security BCP §4.14). Only the SHA-256 of a token is ever stored.
 */
export interface RefreshTokenState {
  id: string;
  familyId: string;
  userId: string;
  tokenHash: string;
  issuedAt: Date;
  expiresAt: Date;
  rotatedAt: Date | null;
  revokedAt: Date | null;
}

export type Redemption =
  /** Valid: it has been rotated; `successor` is the new token to store and hand out. */
  | { outcome: 'rotated'; successor: RefreshToken }
  /** A rotated token came back: revoke the family (`revokeFamily`) and answer TOKEN_REUSED. */
  | { outcome: 'reused'; familyId: string }
  /** Expired or revoked (logout or an earlier reuse): INVALID_REFRESH_TOKEN, nothing changes. */
  | { outcome: 'rejected'; reason: 'expired' | 'revoked' };

export class RefreshToken {
  private constructor(private readonly state: RefreshTokenState) {}

  /** First token of a new family (a sign-in). */
  static startFamily(userId: string, tokenHash: string, now: Date, ttlSeconds: number): RefreshToken {
    return RefreshToken.issue(uuidv7(now.getTime()), userId, tokenHash, now, ttlSeconds);
  }

  private static issue(familyId: string, userId: string, tokenHash: string, now: Date, ttlSeconds: number): RefreshToken {
    if (!(ttlSeconds > 0)) throw new RangeError('refresh token ttl must be positive');
    return new RefreshToken({
      id: uuidv7(now.getTime()),
      familyId,
      userId,
      tokenHash,
      issuedAt: now,
      expiresAt: new Date(now.getTime() + ttlSeconds * 1000),
      rotatedAt: null,
      revokedAt: null,
    });
  }

  static rehydrate(state: RefreshTokenState): RefreshToken {
    return new RefreshToken({ ...state });
  }

  get id(): string {
    return this.state.id;
  }
  get familyId(): string {
    return this.state.familyId;
  }
  get userId(): string {
    return this.state.userId;
  }
  get tokenHash(): string {
    return this.state.tokenHash;
  }
  get expiresAt(): Date {
    return this.state.expiresAt;
  }
  get rotatedAt(): Date | null {
    return this.state.rotatedAt;
  }
  get revokedAt(): Date | null {
    return this.state.revokedAt;
  }

  isExpired(now: Date): boolean {
    return now.getTime() >= this.state.expiresAt.getTime();
  }

  /**
   * Presenting this token. Reuse wins over every other state: a rotated token is evidence of
   * theft whether or not the family was revoked since, and whether or not it has expired.
   * The successor's lifetime slides (now + ttl); the family lives as long as it keeps rotating.
   */
  redeem(successorHash: string, now: Date, ttlSeconds: number): Redemption {
    if (this.state.rotatedAt !== null) return { outcome: 'reused', familyId: this.state.familyId };
    if (this.state.revokedAt !== null) return { outcome: 'rejected', reason: 'revoked' };
    if (this.isExpired(now)) return { outcome: 'rejected', reason: 'expired' };
    this.state.rotatedAt = now;
    const successor = RefreshToken.issue(this.state.familyId, this.state.userId, successorHash, now, ttlSeconds);
    return { outcome: 'rotated', successor };
  }

  revoke(now: Date): boolean {
    if (this.state.revokedAt !== null) return false;
    this.state.revokedAt = now;
    return true;
  }

  toState(): RefreshTokenState {
    return { ...this.state };
  }
}
