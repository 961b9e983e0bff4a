import { Inject, Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { subscriptionCommands } from '@storytelling/contracts';
import { on, type MessageTranslator } from '@storytelling/platform';
import { CommitUsageCommand, ReleaseUsageCommand, ReserveUsageCommand } from '../../application/index.js';

/**
 * subscription.commands from other contexts' sagas: ReserveUsage / CommitUsage / ReleaseUsage.
 * Replies carry the sender's saga id (the command's subject) as correlation id and the command's
 * id as causation (the platform consumer sets both for `.commands` topics).
 */
@Injectable()
export class UsageCommandsTranslator implements MessageTranslator {
  constructor(@Inject(CommandBus) private readonly commands: CommandBus) {}

  readonly routes = [
    on(subscriptionCommands.ReserveUsage, (c, envelope) =>
      this.commands.execute(
        new ReserveUsageCommand({ sagaId: envelope.subject, reservationId: c.reservationId, userId: c.userId, resource: c.resource, amount: c.amount, ttlSeconds: c.ttlSeconds }),
      ),
    ),
    on(subscriptionCommands.CommitUsage, (c) => this.commands.execute(new CommitUsageCommand(c.reservationId))),
    on(subscriptionCommands.ReleaseUsage, (c) => this.commands.execute(new ReleaseUsageCommand(c.reservationId))),
  ];
}
