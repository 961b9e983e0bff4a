import { Inject, Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { narrationEvents } from '@storytelling/contracts';
import { on, type MessageTranslator } from '@storytelling/platform';
import { NotifyNarrationOwnerCommand } from '../../application/index.js';

/**
 * Anti-corruption layer for narration: a narration that is ready (NarrationGenerated) or could not
 * be made (NarrationFailed, with its reason) becomes a notice for its owner. Other narration events
 * (requested, regenerated, discarded) are ignored.
 */
@Injectable()
export class NarrationEventsTranslator implements MessageTranslator {
  constructor(@Inject(CommandBus) private readonly commands: CommandBus) {}

  readonly routes = [
    on(narrationEvents.NarrationGenerated, (narration, envelope) =>
      this.commands.execute(new NotifyNarrationOwnerCommand(narration.ownerId, envelope.id, { outcome: 'ready', narrationId: narration.narrationId, storyId: narration.storyId })),
    ),
    on(narrationEvents.NarrationFailed, (narration, envelope) =>
      this.commands.execute(
        new NotifyNarrationOwnerCommand(narration.ownerId, envelope.id, { outcome: 'failed', narrationId: narration.narrationId, storyId: narration.storyId, reason: narration.reason }),
      ),
    ),
  ];
}
