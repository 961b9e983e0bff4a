import type { Clock, FieldError } from '@storytelling/kernel';
import { ValidationError } from '@storytelling/kernel';
import { Inject } from '@nestjs/common';
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
import { CLOCK, IDENTITY_UNIT_OF_WORK, PASSWORD_HASHER } from '../ports/index.js';
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

    // Cheap early answer; the unique index decides races (the repository maps it to EMAIL_TAKEN).
    if (await this.uow.reader.users.findByEmail(email)) throw new EmailTakenError();
    const passwordHash = await this.hasher.hash(command.password);

    const { user, refreshToken } = await this.uow.run(async (repos) => {
      const user = User.register(
        { email, passwordHash, displayName: command.displayName, language: command.language },
        this.clock,
      );
      await repos.users.add(user);
      const refreshToken = await this.sessions.startFamily(repos, user.id);
      return { user, refreshToken };
    });
    const tokens = await this.sessions.accessTokenFor(user, refreshToken);
    return { user: toUserView(user), ...tokens };
  }
}
