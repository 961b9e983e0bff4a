import type { Clock } from '@storytelling/kernel';
import { CLOCK } from '@storytelling/kernel';
import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { IdentityUnitOfWork, RefreshTokenSecrets } from '../ports/index.js';
import { IDENTITY_UNIT_OF_WORK, REFRESH_TOKEN_SECRETS } from '../ports/index.js';
import { requireRefreshToken } from '../validation.js';

export class LogoutCommand extends Command<void> {
  constructor(
    readonly actorId: string,
    readonly refreshToken: string,
    /** The caller's access token (`jti`, expiry): denylisted, so it is useless at once (ADR 0030). */
    readonly accessToken?: { tokenId: string; expiresAt: Date },
  ) {
    super();
  }
}

/**
 * Ends the session the refresh token belongs to by revoking its whole family. Answers the same
 * (nothing) for unknown, already revoked and other people's tokens: logout is idempotent and
 * says nothing about tokens the caller doesn't own.
 */
@CommandHandler(LogoutCommand)
export class LogoutHandler implements ICommandHandler<LogoutCommand> {
  constructor(
    @Inject(IDENTITY_UNIT_OF_WORK) private readonly uow: IdentityUnitOfWork,
    @Inject(REFRESH_TOKEN_SECRETS) private readonly secrets: RefreshTokenSecrets,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute(command: LogoutCommand): Promise<void> {
    const presented = requireRefreshToken(command.refreshToken);
    const access = command.accessToken;
    if (access && access.expiresAt.getTime() > this.clock.now().getTime()) {
      await this.uow.run((repos) => repos.revocations.add({ ...access, revokedAt: this.clock.now() }));
    }
    if (presented.length > 512) return;
    const hash = this.secrets.hash(presented);
    await this.uow.run(async (repos) => {
      const token = await repos.refreshTokens.findByHashForUpdate(hash);
      if (!token || token.userId !== command.actorId) return;
      await repos.refreshTokens.revokeFamily(token.familyId, this.clock.now());
    });
  }
}
