import { VersionConflictError } from '@storytelling/kernel';
import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { ProfileChanges } from '../../domain/index.js';
import { loadActor } from '../actor.js';
import type { IdentityUnitOfWork } from '../ports/index.js';
import { IDENTITY_UNIT_OF_WORK } from '../ports/index.js';
import type { UserView } from '../views.js';
import { toUserView } from '../views.js';

export class UpdateProfileCommand extends Command<UserView> {
  constructor(
    readonly actorId: string,
    readonly changes: ProfileChanges,
    /** The `If-Match` version, when the client sent one: a stale one is VERSION_CONFLICT. */
    readonly expectedVersion?: number,
  ) {
    super();
  }
}

@CommandHandler(UpdateProfileCommand)
export class UpdateProfileHandler implements ICommandHandler<UpdateProfileCommand> {
  constructor(@Inject(IDENTITY_UNIT_OF_WORK) private readonly uow: IdentityUnitOfWork) {}

  async execute(command: UpdateProfileCommand): Promise<UserView> {
    return this.uow.run(async (repos) => {
      const user = await loadActor(repos, command.actorId);
      if (command.expectedVersion !== undefined && command.expectedVersion !== user.version) {
        throw new VersionConflictError(user.id, command.expectedVersion);
      }
      if (user.updateProfile(command.changes)) await repos.users.save(user);
      return toUserView(user);
    });
  }
}
