import { PROTO_SERVICES, type story } from '@storytelling/contracts';
import { createGrpcClient, withServiceToken, type GrpcClient, type ServiceTokenSource } from '@storytelling/platform';
import type { FollowerDirectory } from '../../application/ports/index.js';

/**
 * An author's followers from story's ListFollowers, called with this service's token
 * (`role: service`; story lets services list any author's followers).
 */
export class GrpcFollowerDirectory implements FollowerDirectory {
  private readonly client: GrpcClient<story.StoryServiceClient>;

  constructor(
    storyUrl: string,
    private readonly tokens: ServiceTokenSource,
    deadlineMs: number,
  ) {
    this.client = createGrpcClient<story.StoryServiceClient>(PROTO_SERVICES.story, { url: storyUrl, deadlineMs });
  }

  async followers(authorId: string, cursor: string | undefined, limit: number): Promise<{ userIds: string[]; nextCursor?: string }> {
    const response = await withServiceToken(this.tokens, 'story', () => this.client.listFollowers({ authorId, page: { limit, cursor: cursor ?? '' } }));
    const next = response.page?.nextCursor;
    return { userIds: response.followers.map((f) => f.userId.toLowerCase()), ...(next ? { nextCursor: next } : {}) };
  }

  close(): void {
    this.client.close();
  }
}
