import type { Clock } from '@storytelling/kernel';
import { CLOCK } from '@storytelling/kernel';
import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { Email, ReauthenticationRequiredError } from '../../domain/index.js';
import { loadActor } from '../actor.js';
import type { IdentityUnitOfWork, PasswordHasher, TokenSettings } from '../ports/index.js';
import { IDENTITY_UNIT_OF_WORK, PASSWORD_HASHER, TOKEN_SETTINGS } from '../ports/index.js';

export class DeleteAccountCommand extends Command<void> {
  constructor(
    readonly actorId: string,
    /** Required when the account has a password; ignored otherwise. */
    readonly password: string | undefined,
  ) {
    super();
  }
}

/** A provider-only user confirms by having signed in this recently (API.md, DELETE /users/me). */
export const RECENT_SIGN_IN_MS = 10 * 60 * 1000;

/**
 * GDPR erasure, identity's part, in one transaction: the account is deactivated (UserDeactivated
 * through the outbox, so the other contexts erase), its personal data replaced by a tombstone,
 * every refresh token revoked, and `user:<id>` put on the access-token denylist until the longest
 * access token issued so far has expired (docs/adr/0030).
 */
@CommandHandler(DeleteAccountCommand)
export class DeleteAccountHandler implements ICommandHandler<DeleteAccountCommand> {
  constructor(
    @Inject(IDENTITY_UNIT_OF_WORK) private readonly uow: IdentityUnitOfWork,
    @Inject(PASSWORD_HASHER) private readonly hasher: PasswordHasher,
    @Inject(TOKEN_SETTINGS) private readonly settings: TokenSettings,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute(command: DeleteAccountCommand): Promise<void> {
    const actor = await loadActor(this.uow.reader, command.actorId);
    const password = typeof command.password === 'string' ? command.password : '';
    if (actor.passwordHash !== null) {
      if (!password || password.length > 1024 || !(await this.hasher.verify(actor.passwordHash, password))) {
        throw new ReauthenticationRequiredError('the password is wrong');
      }
    } else {
      const last = await this.uow.reader.refreshTokens.lastSignInAt(actor.id);
      if (!last || this.clock.now().getTime() - last.getTime() > RECENT_SIGN_IN_MS) {
        throw new ReauthenticationRequiredError('sign in again (within the last 10 minutes) to delete this account');
      }
    }
    await this.uow.run(async (repos) => {
      const user = await loadActor(repos, command.actorId);
      const now = this.clock.now();
      user.eraseAccount(Email.fromStored(`deleted-${user.id}@deleted.invalid`));
      await repos.users.save(user);
      await repos.users.forgetPublishedEvents(user.id);
      await repos.refreshTokens.revokeAllOfUser(user.id, now);
      await repos.revocations.add({
        tokenId: `user:${user.id}`,
        // Leeway: a token issued a moment ago expires at most one TTL (plus clock skew) from now.
        expiresAt: new Date(now.getTime() + (this.settings.accessTokenTtlSeconds + 60) * 1000),
        revokedAt: now,
      });
    });
  }
}
