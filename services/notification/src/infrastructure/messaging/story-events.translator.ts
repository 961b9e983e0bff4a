import { Inject, Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { storyEvents } from '@storytelling/contracts';
import { on, type MessageTranslator } from '@storytelling/platform';
import { NotifyFollowersCommand } from '../../application/index.js';

/**
 * Anti-corruption layer for story: StoryPublished tells the author's followers. Only publication
 * triggers anything (drafts, edits and other story events are ignored).
 */
@Injectable()
export class StoryEventsTranslator implements MessageTranslator {
  constructor(@Inject(CommandBus) private readonly commands: CommandBus) {}

  readonly routes = [
    on(storyEvents.StoryPublished, (story, envelope) =>
      this.commands.execute(new NotifyFollowersCommand(story.storyId, story.authorId, story.authorName, story.title, envelope.id)),
    ),
  ];
}
