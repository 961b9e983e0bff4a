import type { Clock, FieldError } from '@storytelling/kernel';
import { CLOCK, ConflictError, ValidationError, VersionConflictError } from '@storytelling/kernel';
import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import {
  Email,
  EmailTakenError,
  InvalidCredentialsError,
  OidcEmailNotVerifiedError,
  OidcLoginFailedError,
  OidcProviderNotFoundError,
  OidcStateInvalidError,
  User,
  normaliseDisplayName,
  type IdentityRepositories,
} from '../../domain/index.js';
import type { IdentityUnitOfWork, OidcLoginAttempts, OidcProviderRegistry, OidcVerifiedIdentity, RefreshTokenSecrets } from '../ports/index.js';
import { IDENTITY_UNIT_OF_WORK, OIDC_LOGIN_ATTEMPTS, OIDC_PROVIDERS, REFRESH_TOKEN_SECRETS } from '../ports/index.js';
import { Sessions } from '../sessions.js';
import type { AuthResult } from '../views.js';
import { toUserView } from '../views.js';

export class CompleteOidcLoginCommand extends Command<AuthResult> {
  constructor(
    readonly provider: string,
    readonly code: string,
    readonly state: string,
    readonly iss?: string,
  ) {
    super();
  }
}

const MAX_ATTEMPTS = 3;

/**
 * The callback: takes the attempt by state (single use, expiring, bound to the provider), lets
 * the provider adapter redeem the code and validate the ID token, then signs the user in:
 * the user linked to (provider, subject); else, for a verified email only, the user with that
 * email (linked now) or a new passwordless user. An unverified email is refused (ADR 0029).
 */
@CommandHandler(CompleteOidcLoginCommand)
export class CompleteOidcLoginHandler implements ICommandHandler<CompleteOidcLoginCommand> {
  constructor(
    @Inject(OIDC_PROVIDERS) private readonly providers: OidcProviderRegistry,
    @Inject(OIDC_LOGIN_ATTEMPTS) private readonly attempts: OidcLoginAttempts,
    @Inject(REFRESH_TOKEN_SECRETS) private readonly secrets: RefreshTokenSecrets,
    @Inject(IDENTITY_UNIT_OF_WORK) private readonly uow: IdentityUnitOfWork,
    @Inject(Sessions) private readonly sessions: Sessions,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute(command: CompleteOidcLoginCommand): Promise<AuthResult> {
    const provider = this.providers.get(command.provider);
    if (!provider) throw new OidcProviderNotFoundError(command.provider);
    if (!command.state) throw new ValidationError('invalid OIDC callback', [{ field: 'state', message: 'is required' }]);

    const attempt = await this.attempts.take(this.secrets.hash(command.state));
    if (!attempt || attempt.provider !== provider.name || attempt.expiresAt.getTime() <= this.clock.now().getTime()) {
      throw new OidcStateInvalidError();
    }
    // No code: the provider answered with an error (the person declined, ...). The attempt is spent.
    if (!command.code) throw new OidcLoginFailedError();
    const identity = await provider.exchange({
      code: command.code,
      state: command.state,
      codeVerifier: attempt.codeVerifier,
      nonce: attempt.nonce,
      ...(command.iss ? { iss: command.iss } : {}),
    });

    // Two first sign-ins of one person race on the unique email / (provider, subject): the loser
    // retries and finds the winner's account.
    for (let round = 1; ; round++) {
      try {
        const { user, refreshToken } = await this.uow.run(async (repos) => {
          const user = await this.signIn(repos, identity);
          const refreshToken = await this.sessions.startFamily(repos, user.id);
          return { user, refreshToken };
        });
        const tokens = await this.sessions.accessTokenFor(user, refreshToken);
        return { user: toUserView(user), ...tokens };
      } catch (err) {
        const race = err instanceof VersionConflictError || err instanceof EmailTakenError || (err instanceof ConflictError && err.code === 'IDENTITY_ALREADY_LINKED');
        if (race && round < MAX_ATTEMPTS) continue;
        throw err;
      }
    }
  }

  private async signIn(repos: IdentityRepositories, identity: OidcVerifiedIdentity): Promise<User> {
    const linked = await repos.users.findByLinkedIdentity(identity.provider, identity.subject);
    if (linked) {
      if (!linked.active) throw new InvalidCredentialsError();
      linked.recordAuthentication('AUTHENTICATION_METHOD_OIDC', identity.provider);
      await repos.users.save(linked);
      return linked;
    }
    // Only an email the provider vouches for may pick an account, or become one's email.
    if (!identity.email || !identity.emailVerified) throw new OidcEmailNotVerifiedError();
    const email = Email.tryParse(identity.email);
    if (!email) throw new OidcLoginFailedError();
    const existing = await repos.users.findByEmail(email);
    if (existing) {
      if (!existing.active) throw new InvalidCredentialsError();
      existing.linkIdentity(identity.provider, identity.subject);
      existing.recordAuthentication('AUTHENTICATION_METHOD_OIDC', identity.provider);
      await repos.users.save(existing);
      return existing;
    }
    const user = User.register({ email, passwordHash: null, displayName: displayNameFor(identity, email) }, this.clock);
    user.linkIdentity(identity.provider, identity.subject);
    user.recordAuthentication('AUTHENTICATION_METHOD_OIDC', identity.provider);
    await repos.users.add(user);
    return user;
  }
}

/** The provider's name when it is an acceptable display name, else the email's local part. */
function displayNameFor(identity: OidcVerifiedIdentity, email: Email): string {
  const errors: FieldError[] = [];
  const name = identity.displayName ? normaliseDisplayName(identity.displayName, errors) : undefined;
  if (name && errors.length === 0) return name;
  return email.value.split('@')[0]!.slice(0, 50) || 'user';
}
