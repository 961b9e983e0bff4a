import type { story } from '@storytelling/contracts';
import type { GrpcClient, GrpcHealthProbe } from '@storytelling/platform';
import type {
  AnalysisView,
  CharacterView,
  CreateStoryInput,
  EmotionView,
  FollowedAuthorView,
  FollowerView,
  ListStoriesQuery,
  Page,
  PageRequest,
  StoryPatch,
  StoryPort,
  StorySummaryView,
  StoryView,
} from '../../application/story.port.js';
import { isAnalysisStatus, isCharacterRole, isEmotion, isStoryStatus } from '../../domain/stories.js';
import { ContractViolationError } from '../identity/grpc-identity.adapter.js';

/** The story service's gRPC client (promise-based, built from the peer table by connectPeer). */
export type StoryGrpcClient = GrpcClient<story.StoryServiceClient>;

const orNull = (v: string | undefined | null): string | null => (v === undefined || v === null || v === '' ? null : v);

export function toStoryView(s: story.Story | undefined): StoryView {
  if (!s || !s.id || !isStoryStatus(s.status)) throw new ContractViolationError('story', 'story');
  return {
    id: s.id,
    title: s.title,
    content: s.content,
    authorId: s.authorId,
    language: s.language,
    status: s.status,
    version: s.version,
    createdAt: s.createdAt,
    updatedAt: s.updatedAt,
  };
}

export function toStorySummaryView(s: story.StorySummary): StorySummaryView {
  if (!s.id || !isStoryStatus(s.status)) throw new ContractViolationError('story summary', 'story');
  return {
    id: s.id,
    title: s.title,
    authorId: s.authorId,
    language: s.language,
    status: s.status,
    version: s.version,
    excerpt: s.excerpt,
    contentLength: s.contentLength,
    createdAt: s.createdAt,
    updatedAt: s.updatedAt,
  };
}

function toCharacterView(c: story.Character): CharacterView {
  if (!isCharacterRole(c.role)) throw new ContractViolationError('character', 'story');
  return { id: c.id, name: c.name, description: c.description, personality: c.personality, role: c.role, traits: [...(c.traits ?? [])] };
}

function toEmotionView(e: story.EmotionMoment): EmotionView {
  if (!isEmotion(e.emotion)) throw new ContractViolationError('emotion', 'story');
  return { emotion: e.emotion, intensity: e.intensity, context: e.context, quote: e.quote, segmentIndex: e.segmentIndex };
}

export function toAnalysisView(a: story.Analysis | undefined): AnalysisView {
  if (!a || !isAnalysisStatus(a.status)) throw new ContractViolationError('analysis', 'story');
  return {
    status: a.status,
    characters: (a.characters ?? []).map(toCharacterView),
    emotions: (a.emotions ?? []).map(toEmotionView),
    completedAt: orNull(a.completedAt),
    ...(a.status === 'failed' ? { error: { code: a.errorCode || 'ANALYSIS_FAILED', message: a.errorMessage || 'The analysis failed.' } } : {}),
  };
}

function toFollowerView(f: story.Follower): FollowerView {
  if (!f.userId) throw new ContractViolationError('follower', 'story');
  return { id: f.userId, displayName: orNull(f.displayName), followedAt: f.followedAt };
}

function toFollowedAuthorView(f: story.FollowedAuthor): FollowedAuthorView {
  if (!f.authorId) throw new ContractViolationError('followed author', 'story');
  return { id: f.authorId, displayName: orNull(f.displayName), followedAt: f.followedAt };
}

const pageOf = (page: PageRequest) => ({ limit: page.limit, cursor: page.cursor ?? '' });

/**
 * StoryPort over the story service's gRPC API. The caller's verified bearer token, correlation
 * id and trace travel as metadata (set by the platform client from the request context); errors
 * stay gRPC service errors and are mapped to problems by the filter.
 */
export class GrpcStoryAdapter implements StoryPort {
  constructor(
    private readonly client: StoryGrpcClient,
    private readonly health: GrpcHealthProbe,
  ) {}

  async createStory(input: CreateStoryInput): Promise<StoryView> {
    const req: story.CreateStoryRequest = {
      title: input.title,
      content: input.content,
      ...(input.language !== undefined ? { language: input.language } : {}),
    };
    return toStoryView((await this.client.createStory(req)).story);
  }

  async getStory(id: string): Promise<StoryView> {
    return toStoryView((await this.client.getStory({ storyId: id })).story);
  }

  async listStories(query: ListStoriesQuery): Promise<Page<StorySummaryView>> {
    const req: story.ListStoriesRequest = { page: pageOf(query) };
    if (query.authorId !== undefined) req.authorId = query.authorId;
    if (query.status !== undefined) req.status = query.status;
    const res = await this.client.listStories(req);
    return { items: (res.stories ?? []).map(toStorySummaryView), nextCursor: orNull(res.page?.nextCursor) };
  }

  async updateStory(id: string, patch: StoryPatch, expectedVersion: number): Promise<StoryView> {
    const req: story.UpdateStoryRequest = { storyId: id, expectedVersion };
    if (patch.title !== undefined) req.title = patch.title;
    if (patch.content !== undefined) req.content = patch.content;
    return toStoryView((await this.client.updateStory(req)).story);
  }

  async archiveStory(id: string, expectedVersion?: number): Promise<void> {
    await this.client.archiveStory({ storyId: id, ...(expectedVersion !== undefined ? { expectedVersion } : {}) });
  }

  async requestAnalysis(storyId: string): Promise<AnalysisView> {
    return toAnalysisView((await this.client.requestAnalysis({ storyId })).analysis);
  }

  async getAnalysis(storyId: string): Promise<AnalysisView> {
    return toAnalysisView((await this.client.getAnalysis({ storyId })).analysis);
  }

  async followAuthor(authorId: string): Promise<void> {
    await this.client.followAuthor({ authorId });
  }

  async unfollowAuthor(authorId: string): Promise<void> {
    await this.client.unfollowAuthor({ authorId });
  }

  async listFollowers(authorId: string, page: PageRequest): Promise<Page<FollowerView>> {
    const res = await this.client.listFollowers({ authorId, page: pageOf(page) });
    return { items: (res.followers ?? []).map(toFollowerView), nextCursor: orNull(res.page?.nextCursor) };
  }

  async listFollowing(page: PageRequest): Promise<Page<FollowedAuthorView>> {
    const res = await this.client.listFollowing({ page: pageOf(page) });
    return { items: (res.authors ?? []).map(toFollowedAuthorView), nextCursor: orNull(res.page?.nextCursor) };
  }

  checkHealth(): Promise<void> {
    return this.health.check('');
  }

  close(): void {
    this.client.close();
    this.health.close();
  }
}
