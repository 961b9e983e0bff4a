import { Inject, Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { narrationCommands } from '@storytelling/contracts';
import { on, type MessageTranslator } from '@storytelling/platform';
import { DiscardNarrationCommand, GenerateNarrationCommand } from '../../application/index.js';

/**
 * narration.commands from sagas (the publishing saga, and this service's own narration-quota
 * saga): GenerateNarration / DiscardNarration. The saga id is the command's subject; the replies
 * (NarrationGenerated / NarrationFailed, NarrationDiscarded) carry it in `sagaId`.
 */
@Injectable()
export class NarrationCommandsTranslator implements MessageTranslator {
  constructor(@Inject(CommandBus) private readonly commands: CommandBus) {}

  readonly routes = [
    on(narrationCommands.GenerateNarration, (c, envelope) =>
      this.commands.execute(
        new GenerateNarrationCommand({
          sagaId: envelope.subject,
          narrationId: c.narrationId,
          storyId: c.storyId,
          ownerId: c.ownerId,
          voiceId: c.voiceId,
          characterVoices: { ...c.characterVoices },
        }),
      ),
    ),
    on(narrationCommands.DiscardNarration, (c, envelope) => this.commands.execute(new DiscardNarrationCommand({ sagaId: envelope.subject, narrationId: c.narrationId, reason: c.reason }))),
  ];
}
