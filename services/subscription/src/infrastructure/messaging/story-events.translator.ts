import { Inject, Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { storyEvents } from '@storytelling/contracts';
import { on, type MessageTranslator } from '@storytelling/platform';
import { CountUsageCommand } from '../../application/index.js';
import { timeOf } from './identity-events.translator.js';

/**
 * Stories are counted from StoryCreated: +1 committed `stories` in the usage window of the
 * story's creation time (story checks the quota before it creates; a count past the limit is
 * reported with QuotaExceeded, never refused).
 */
@Injectable()
export class StoryEventsTranslator implements MessageTranslator {
  constructor(@Inject(CommandBus) private readonly commands: CommandBus) {}

  readonly routes = [
    on(storyEvents.StoryCreated, (story, envelope) =>
      this.commands.execute(new CountUsageCommand(story.authorId.toLowerCase(), 'stories', timeOf(story.createdAt, envelope))),
    ),
  ];
}
