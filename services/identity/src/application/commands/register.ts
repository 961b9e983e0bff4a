import type { Clock, FieldError } from '@storytelling/kernel';
import { CLOCK, ValidationError } from '@storytelling/kernel';
import { Inject } from '@nestjs/common';
import { currentContext, IdempotencyKeyReusedError } from '@storytelling/platform';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import {
  Email,
  EmailTakenError,
  User,
  assertAcceptablePassword,
  normaliseDisplayName,
  normaliseLanguage,
} from '../../domain/index.js';
import type { IdentityUnitOfWork, PasswordHasher } from '../ports/index.js';
import { IDENTITY_UNIT_OF_WORK, PASSWORD_HASHER } from '../ports/index.js';
import { Sessions } from '../sessions.js';
import { collect } from '../validation.js';
import type { AuthResult } from '../views.js';
import { toUserView } from '../views.js';

export class RegisterCommand extends Command<AuthResult> {
  constructor(
    readonly email: string,
    readonly password: string,
    readonly displayName: string,
    readonly language?: string,
  ) {
    super();
  }
}

@CommandHandler(RegisterCommand)
export class RegisterHandler implements ICommandHandler<RegisterCommand> {
  constructor(
    @Inject(IDENTITY_UNIT_OF_WORK) private readonly uow: IdentityUnitOfWork,
    @Inject(PASSWORD_HASHER) private readonly hasher: PasswordHasher,
    @Inject(Sessions) private readonly sessions: Sessions,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute(command: RegisterCommand): Promise<AuthResult> {
    const errors: FieldError[] = [];
    const email = collect(errors, () => Email.parse(command.email));
    collect(errors, () => assertAcceptablePassword(command.password));
    normaliseDisplayName(command.displayName, errors);
    if (command.language !== undefined && command.language !== '') normaliseLanguage(command.language, errors);
    if (errors.length > 0 || !email) throw new ValidationError('invalid registration', errors);

    const idempotent = currentContext()?.idempotencyKey !== undefined;
    // Cheap early answer; the unique index decides races (the repository maps it to EMAIL_TAKEN).
    // With an Idempotency-Key the answer waits: a replay finds its own account here.
    if (!idempotent && (await this.uow.reader.users.findByEmail(email))) throw new EmailTakenError();
    const passwordHash = await this.hasher.hash(command.password);

    let created: { user: User; refreshToken: string } | undefined;
    // The key remembers only the account id: tokens are never stored. The password stays out of
    // the fingerprint (a stored hash of it would be unsalted); a replay proves it instead.
    const request = {
      scope: 'identity.Register',
      principal: 'anonymous',
      body: { email: email.value, displayName: command.displayName, language: command.language ?? null },
    };
    const { userId } = await this.uow.runIdempotent(request, async (repos) => {
      const user = User.register({ email, passwordHash, displayName: command.displayName, language: command.language }, this.clock);
      await repos.users.add(user);
      created = { user, refreshToken: await this.sessions.startFamily(repos, user.id) };
      return { userId: user.id };
    });
    const { user, refreshToken } = created ?? (await this.replay(userId, command.password));
    const tokens = await this.sessions.accessTokenFor(user, refreshToken);
    return { user: toUserView(user), ...tokens };
  }

  /** The same registration again (same key and body): the same account, with a fresh session. */
  private async replay(userId: string, password: string): Promise<{ user: User; refreshToken: string }> {
    const user = await this.uow.reader.users.findById(userId);
    if (!user || !(await this.hasher.verify(user.passwordHash ?? '', password))) throw new IdempotencyKeyReusedError();
    const refreshToken = await this.uow.run((repos) => this.sessions.startFamily(repos, user.id));
    return { user, refreshToken };
  }
}
