import type { Clock } from '@storytelling/kernel';
import { CLOCK } from '@storytelling/kernel';
import { Inject, Injectable } from '@nestjs/common';
import type { IdentityRepositories, User } from '../domain/index.js';
import { RefreshToken } from '../domain/index.js';
import type { AccessTokenIssuer, RefreshTokenSecrets, TokenSettings } from './ports/index.js';
import { ACCESS_TOKEN_ISSUER, REFRESH_TOKEN_SECRETS, TOKEN_SETTINGS } from './ports/index.js';
import type { TokenPair } from './views.js';

/** Starts refresh-token families and signs access tokens; shared by register, login and refresh. */
@Injectable()
export class Sessions {
  constructor(
    @Inject(ACCESS_TOKEN_ISSUER) private readonly issuer: AccessTokenIssuer,
    @Inject(REFRESH_TOKEN_SECRETS) private readonly secrets: RefreshTokenSecrets,
    @Inject(TOKEN_SETTINGS) private readonly settings: TokenSettings,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** Inside the caller's transaction: stores the first token of a new family. @returns the raw token. */
  async startFamily(repos: IdentityRepositories, userId: string): Promise<string> {
    const { token, hash } = this.secrets.generate();
    await repos.refreshTokens.add(RefreshToken.startFamily(userId, hash, this.clock.now(), this.settings.refreshTokenTtlSeconds));
    return token;
  }

  async accessTokenFor(user: User, refreshToken: string): Promise<TokenPair> {
    const access = await this.issuer.issue({ userId: user.id, role: user.role, email: user.email.value });
    return { accessToken: access.token, refreshToken, expiresIn: access.expiresIn };
  }
}
