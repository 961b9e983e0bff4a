import { VersionConflictError } from '@storytelling/kernel';
import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { Email, InvalidCredentialsError, type User } from '../../domain/index.js';
import type { IdentityUnitOfWork, PasswordHasher } from '../ports/index.js';
import { IDENTITY_UNIT_OF_WORK, PASSWORD_HASHER } from '../ports/index.js';
import { Sessions } from '../sessions.js';
import type { AuthResult } from '../views.js';
import { toUserView } from '../views.js';

export class LoginCommand extends Command<AuthResult> {
  constructor(
    readonly email: string,
    readonly password: string,
  ) {
    super();
  }
}

const MAX_ATTEMPTS = 3;

/**
 * Unknown email, malformed email, wrong password and deactivated account all answer the same
 * INVALID_CREDENTIALS after the same amount of hashing work, so the answer reveals nothing.
 */
@CommandHandler(LoginCommand)
export class LoginHandler implements ICommandHandler<LoginCommand> {
  constructor(
    @Inject(IDENTITY_UNIT_OF_WORK) private readonly uow: IdentityUnitOfWork,
    @Inject(PASSWORD_HASHER) private readonly hasher: PasswordHasher,
    @Inject(Sessions) private readonly sessions: Sessions,
  ) {}

  async execute(command: LoginCommand): Promise<AuthResult> {
    const password = typeof command.password === 'string' ? command.password : '';
    const email = Email.tryParse(command.email);
    const found = email ? await this.uow.reader.users.findByEmail(email) : undefined;
    if (!found || found.passwordHash === null) {
      await this.hasher.burn(password);
      throw new InvalidCredentialsError();
    }
    const ok = await this.hasher.verify(found.passwordHash, password);
    if (!ok || !found.active) throw new InvalidCredentialsError();

    // UserAuthenticated takes the user's next version; a concurrent change to the same user
    // (another login, a profile edit) makes that collide, so re-read and try again.
    for (let attempt = 1; ; attempt++) {
      try {
        const { user, refreshToken } = await this.uow.run(async (repos) => {
          const user = await repos.users.findById(found.id);
          if (!user || !user.active) throw new InvalidCredentialsError();
          user.recordAuthentication('AUTHENTICATION_METHOD_PASSWORD');
          await repos.users.save(user);
          const refreshToken = await this.sessions.startFamily(repos, user.id);
          return { user: user as User, refreshToken };
        });
        const tokens = await this.sessions.accessTokenFor(user, refreshToken);
        return { user: toUserView(user), ...tokens };
      } catch (err) {
        if (err instanceof VersionConflictError && attempt < MAX_ATTEMPTS) continue;
        throw err;
      }
    }
  }
}
