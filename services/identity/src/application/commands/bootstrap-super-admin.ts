import type { Clock } from '@storytelling/kernel';
import { CLOCK } from '@storytelling/kernel';
import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { Email, EmailTakenError, User, assertAcceptablePassword } from '../../domain/index.js';
import type { IdentityUnitOfWork, PasswordHasher } from '../ports/index.js';
import { IDENTITY_UNIT_OF_WORK, PASSWORD_HASHER } from '../ports/index.js';

export interface BootstrapSuperAdminResult {
  created: boolean;
  userId: string;
  /** The existing account's role when one was found (it is left alone). */
  role: string;
}

export class BootstrapSuperAdminCommand extends Command<BootstrapSuperAdminResult> {
  constructor(
    readonly email: string,
    readonly password: string,
    readonly displayName = 'Super Admin',
  ) {
    super();
  }
}

/**
 * First start: creates the configured super-admin unless an account with that email exists
 * (then nothing changes: an operator who demoted it meant it). The account goes through the
 * same events as anyone else: UserRegistered, then RoleAssigned by nobody (the system).
 */
@CommandHandler(BootstrapSuperAdminCommand)
export class BootstrapSuperAdminHandler implements ICommandHandler<BootstrapSuperAdminCommand> {
  constructor(
    @Inject(IDENTITY_UNIT_OF_WORK) private readonly uow: IdentityUnitOfWork,
    @Inject(PASSWORD_HASHER) private readonly hasher: PasswordHasher,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute(command: BootstrapSuperAdminCommand): Promise<BootstrapSuperAdminResult> {
    const email = Email.parse(command.email, 'SUPERADMIN_EMAIL');
    assertAcceptablePassword(command.password, 'SUPERADMIN_PASSWORD');
    const existing = await this.uow.reader.users.findByEmail(email);
    if (existing) return { created: false, userId: existing.id, role: existing.role };
    const passwordHash = await this.hasher.hash(command.password);
    try {
      return await this.uow.run(async (repos) => {
        const user = User.register({ email, passwordHash, displayName: command.displayName }, this.clock);
        user.assignRole('super-admin', null);
        await repos.users.add(user);
        return { created: true, userId: user.id, role: user.role };
      });
    } catch (err) {
      // Another replica won the race.
      if (!(err instanceof EmailTakenError)) throw err;
      const winner = await this.uow.reader.users.findByEmail(email);
      if (!winner) throw err;
      return { created: false, userId: winner.id, role: winner.role };
    }
  }
}
