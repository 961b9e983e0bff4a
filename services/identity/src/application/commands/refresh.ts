import type { Clock } from '@storytelling/kernel';
import { CLOCK } from '@storytelling/kernel';
import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { User } from '../../domain/index.js';
import { InvalidRefreshTokenError, TokenReusedError } from '../../domain/index.js';
import type { IdentityUnitOfWork, RefreshTokenSecrets, TokenSettings } from '../ports/index.js';
import { IDENTITY_UNIT_OF_WORK, REFRESH_TOKEN_SECRETS, TOKEN_SETTINGS } from '../ports/index.js';
import { Sessions } from '../sessions.js';
import { requireRefreshToken } from '../validation.js';
import type { TokenPair } from '../views.js';

export class RefreshCommand extends Command<TokenPair> {
  constructor(readonly refreshToken: string) {
    super();
  }
}

type Outcome = { kind: 'ok'; user: User; refreshToken: string } | { kind: 'reused' } | { kind: 'invalid' };

@CommandHandler(RefreshCommand)
export class RefreshHandler implements ICommandHandler<RefreshCommand> {
  constructor(
    @Inject(IDENTITY_UNIT_OF_WORK) private readonly uow: IdentityUnitOfWork,
    @Inject(REFRESH_TOKEN_SECRETS) private readonly secrets: RefreshTokenSecrets,
    @Inject(TOKEN_SETTINGS) private readonly settings: TokenSettings,
    @Inject(Sessions) private readonly sessions: Sessions,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute(command: RefreshCommand): Promise<TokenPair> {
    const presented = requireRefreshToken(command.refreshToken);
    if (presented.length > 512) throw new InvalidRefreshTokenError();
    const presentedHash = this.secrets.hash(presented);
    const next = this.secrets.generate();

    // The revocation of a reused family must commit, so the transaction returns an outcome and
    // the error is thrown only after it, and it commits on its own (requires_new) even when a
    // unit of work around this call fails.
    const outcome = await this.uow.run<Outcome>(async (repos) => {
      const token = await repos.refreshTokens.findByHashForUpdate(presentedHash);
      if (!token) return { kind: 'invalid' };
      const now = this.clock.now();
      const redemption = token.redeem(next.hash, now, this.settings.refreshTokenTtlSeconds);
      if (redemption.outcome === 'reused') {
        await repos.refreshTokens.revokeFamily(redemption.familyId, now);
        return { kind: 'reused' };
      }
      if (redemption.outcome === 'rejected') return { kind: 'invalid' };
      const user = await repos.users.findById(token.userId);
      if (!user || !user.active) {
        await repos.refreshTokens.revokeFamily(token.familyId, now);
        return { kind: 'invalid' };
      }
      await repos.refreshTokens.save(token);
      await repos.refreshTokens.add(redemption.successor);
      return { kind: 'ok', user, refreshToken: next.token };
    }, { propagation: 'requires_new' });

    if (outcome.kind === 'reused') throw new TokenReusedError();
    if (outcome.kind === 'invalid') throw new InvalidRefreshTokenError();
    return this.sessions.accessTokenFor(outcome.user, outcome.refreshToken);
  }
}
