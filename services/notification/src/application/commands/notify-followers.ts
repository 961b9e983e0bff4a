import { ValidationError } from '@storytelling/kernel';
import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { getLogger } from '@storytelling/platform';
import { requireUuid } from '../../domain/index.js';
import { NotificationPlanner } from '../notification-planner.js';
import { FOLLOWER_DIRECTORY, NOTIFICATION_UNIT_OF_WORK, SENDER_SETTINGS, type FollowerDirectory, type NotificationUnitOfWork, type SenderSettings } from '../ports/index.js';

/** An author published a story (StoryPublished, event `sourceEventId`). */
export class NotifyFollowersCommand extends Command<{ pages: number; planned: number }> {
  constructor(
    readonly storyId: string,
    readonly authorId: string,
    readonly authorName: string,
    readonly title: string,
    readonly sourceEventId: string,
  ) {
    super();
  }
}

/**
 * A story_published notification for every follower of the author (never the author), paged
 * through story's ListFollowers (followersPageSize per call). Everything is planned in one unit
 * of work (in the consumer: its inbox transaction): a failed page rolls the whole event back and
 * the retry starts over, and the (event, recipient, channel) key makes it write nothing twice.
 * Followers notification has not heard of yet are skipped.
 */
@CommandHandler(NotifyFollowersCommand)
export class NotifyFollowersHandler implements ICommandHandler<NotifyFollowersCommand> {
  private readonly log = getLogger('notify');

  constructor(
    @Inject(NOTIFICATION_UNIT_OF_WORK) private readonly uow: NotificationUnitOfWork,
    @Inject(NotificationPlanner) private readonly planner: NotificationPlanner,
    @Inject(FOLLOWER_DIRECTORY) private readonly followers: FollowerDirectory,
    @Inject(SENDER_SETTINGS) private readonly settings: SenderSettings,
  ) {}

  async execute(command: NotifyFollowersCommand): Promise<{ pages: number; planned: number }> {
    const storyId = requireUuid('storyId', command.storyId);
    const authorId = requireUuid('authorId', command.authorId);
    if (command.title.trim() === '') throw new ValidationError('a published story has a title', [{ field: 'title', message: 'must not be empty' }]);
    const data = { storyId, title: command.title, authorName: command.authorName };
    const result = await this.uow.run(async (repos) => {
      let cursor: string | undefined;
      let pages = 0;
      let planned = 0;
      do {
        const page = await this.followers.followers(authorId, cursor, this.settings.followersPageSize);
        pages += 1;
        for (const followerId of page.userIds) {
          if (followerId === authorId) continue;
          const outcome = await this.planner.notify(repos, { recipientId: followerId, type: 'story_published', sourceEventId: command.sourceEventId, data });
          if (outcome === 'created') planned += 1;
        }
        cursor = page.nextCursor;
      } while (cursor);
      return { pages, planned };
    });
    this.log.info({ eventId: command.sourceEventId, storyId, ...result }, 'story publication fanned out');
    return result;
  }
}
