import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { IDENTITY_PORT, type IdentityPort } from '../../../application/identity.port.js';
import { FILE_LINKS, type FileLinks } from '../../../application/media.port.js';
import { NARRATION_PORT, type NarrationPort } from '../../../application/narration.port.js';
import { NOTIFICATION_PORT, type NotificationPort } from '../../../application/notification.port.js';
import { PAYMENTS_PORT, type PaymentsPort } from '../../../application/payments.port.js';
import { STORY_PORT, type Page, type PageRequest, type StoryPort } from '../../../application/story.port.js';
import { SUBSCRIPTION_PORT, type SubscriptionPort } from '../../../application/subscription.port.js';
import { NoQuery } from '../dto/common.dto.js';
import { RateLimit } from '../guards/rate-limit.guard.js';
import { ApiProblems } from '../openapi/api-problems.decorator.js';
import { NarrationPresenter } from '../presenters/narration.presenter.js';

/** Bounds one export: the first 10,000 items of each list. */
const MAX_ITEMS = 10_000;

/**
 * Narrations come with every segment's text, i.e. the whole story: up to 200,000 characters
 * (≤ 800 kB of UTF-8) each. Four per page keep one gRPC answer under grpc-js' 4 MiB default
 * receive limit even then; a page of 100 could be hundreds of megabytes.
 */
const NARRATIONS_PER_PAGE = 4;

async function everything<T>(list: (page: PageRequest) => Promise<Page<T>>, limit = 100): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  for (let i = 0; i < Math.ceil(MAX_ITEMS / limit); i++) {
    const page = await list({ limit, ...(cursor ? { cursor } : {}) });
    items.push(...page.items);
    if (!page.nextCursor) break;
    cursor = page.nextCursor;
  }
  return items;
}

/**
 * GET /users/me/export (GDPR portability): what the platform holds about the caller, gathered
 * from every context over the same gRPC calls the API uses, as the caller (their token travels
 * as metadata, so each context answers only with the caller's own data). Samples and narration
 * audio (every segment and the whole file) come as freshly signed URLs, as on every read. A
 * context that is down fails the whole export (503): a partial export would mislead.
 */
@ApiTags('users')
@ApiBearerAuth()
@RateLimit('default')
@Controller('users')
export class ExportController {
  private readonly present: NarrationPresenter;

  constructor(
    @Inject(IDENTITY_PORT) private readonly identity: IdentityPort,
    @Inject(STORY_PORT) private readonly story: StoryPort,
    @Inject(SUBSCRIPTION_PORT) private readonly subscription: SubscriptionPort,
    @Inject(PAYMENTS_PORT) private readonly payments: PaymentsPort,
    @Inject(NOTIFICATION_PORT) private readonly notification: NotificationPort,
    @Inject(NARRATION_PORT) private readonly narration: NarrationPort,
    @Inject(FILE_LINKS) links: FileLinks,
  ) {
    this.present = new NarrationPresenter(links);
  }

  @Get('me/export')
  @ApiOperation({
    summary: 'Everything the platform holds about the caller (GDPR export)',
    description:
      'profile, stories, voices with their samples as signed URLs, narrations (segments and the whole audio as signed URLs), ' +
      'follows (the authors the caller follows and the caller\'s followers), subscription, payments, notifications and preferences.',
  })
  @ApiOkResponse({ description: 'One JSON document', schema: { type: 'object', additionalProperties: true } })
  @ApiProblems(400, 401, 503)
  async export(@Query() _query: NoQuery): Promise<Record<string, unknown>> {
    const profile = await this.identity.getMe();
    const [stories, archivedStories, following, followers, voices, narrations, subscription, payments, notifications, notificationPreferences] = await Promise.all([
      everything((page) => this.story.listStories({ ...page, authorId: profile.id })),
      // The author's own list leaves archived stories out unless asked for by status.
      everything((page) => this.story.listStories({ ...page, authorId: profile.id, status: 'archived' })),
      everything((page) => this.story.listFollowing(page)),
      everything((page) => this.story.listFollowers(profile.id, page)),
      this.narration.listVoices(),
      everything((page) => this.narration.listNarrations(page), NARRATIONS_PER_PAGE),
      this.subscription.getSubscription(),
      everything((page) => this.payments.listPayments(page)),
      everything((page) => this.notification.listNotifications(page, false)),
      this.notification.getPreferences(),
    ]);
    return {
      exportedAt: new Date().toISOString(),
      profile,
      stories: [...stories, ...archivedStories].filter((s) => s.authorId === profile.id),
      follows: { following, followers },
      // listVoices puts the shared stock narrator first: it is nobody's personal data.
      voices: voices.filter((v) => v.provider !== 'stock').map((v) => this.present.voice(v)),
      narrations: narrations.map((n) => this.present.narration(n)),
      subscription,
      payments,
      notifications,
      notificationPreferences,
    };
  }
}
