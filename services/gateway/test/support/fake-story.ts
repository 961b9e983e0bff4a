import { uuidv7 } from '@storytelling/kernel';
import type {
  AnalysisView,
  CreateStoryInput,
  FollowedAuthorView,
  FollowerView,
  ListStoriesQuery,
  Page,
  PageRequest,
  StoryPatch,
  StoryPort,
  StorySummaryView,
  StoryView,
} from '../../src/application/story.port.js';
import { FakePort, fakePage } from './fake-port.js';
import { grpcError } from './grpc-error.js';

/**
 * In-memory stand-in for the story service behind the StoryPort, for tests of the HTTP layer:
 * records every call with its request context and follows the service's rules loosely (author
 * only, versions, idempotent follow). The real rules are exercised by the e2e tests.
 */
export class FakeStory extends FakePort implements StoryPort {
  readonly stories = new Map<string, StoryView>();
  /** Who follows whom, most recent first. */
  readonly follows: Array<{ followerId: string; authorId: string; followedAt: string }> = [];

  constructor() {
    super('story');
  }

  private visible(id: string): StoryView {
    const story = this.stories.get(id);
    if (!story || (story.authorId !== this.callerId() && story.status !== 'published')) throw grpcError(5, 'story not found', 'STORY_NOT_FOUND');
    return story;
  }

  async createStory(input: CreateStoryInput): Promise<StoryView> {
    this.record('createStory', input);
    const now = new Date().toISOString();
    const story: StoryView = {
      id: uuidv7(),
      title: input.title.trim(),
      content: input.content,
      authorId: this.callerId(),
      language: input.language ?? 'en',
      status: 'draft',
      version: 1,
      createdAt: now,
      updatedAt: now,
    };
    this.stories.set(story.id, story);
    return { ...story };
  }

  async getStory(id: string): Promise<StoryView> {
    this.record('getStory', id);
    return { ...this.visible(id) };
  }

  async listStories(query: ListStoriesQuery): Promise<Page<StorySummaryView>> {
    this.record('listStories', query);
    const me = this.callerId();
    const items = [...this.stories.values()]
      .filter((s) => s.authorId === me || s.status === 'published')
      // As the service: a status filter, else every status but archived.
      .filter((s) => (query.status ? s.status === query.status : s.status !== 'archived'))
      .slice(0, query.limit)
      .map(({ content, ...s }) => ({ ...s, excerpt: content.slice(0, 280), contentLength: content.length }));
    return { items, nextCursor: null };
  }

  async updateStory(id: string, patch: StoryPatch, expectedVersion: number): Promise<StoryView> {
    this.record('updateStory', id, patch, expectedVersion);
    const story = this.visible(id);
    if (story.version !== expectedVersion) throw grpcError(9, 'the story has changed', 'VERSION_CONFLICT');
    Object.assign(story, patch, { version: story.version + 1, updatedAt: new Date().toISOString() });
    return { ...story };
  }

  async archiveStory(id: string, expectedVersion?: number): Promise<void> {
    this.record('archiveStory', id, expectedVersion);
    const story = this.visible(id);
    story.status = 'archived';
  }

  async requestAnalysis(storyId: string): Promise<AnalysisView> {
    this.record('requestAnalysis', storyId);
    this.visible(storyId);
    return { status: 'analyzing', characters: [], emotions: [], completedAt: null };
  }

  async getAnalysis(storyId: string): Promise<AnalysisView> {
    this.record('getAnalysis', storyId);
    this.visible(storyId);
    return {
      status: 'analyzed',
      characters: [{ id: uuidv7(), name: 'Mara', description: 'a keeper', personality: 'stubborn', role: 'protagonist', traits: ['brave'] }],
      emotions: [{ emotion: 'joy', intensity: 7, context: 'the light', quote: 'It burns!', segmentIndex: 0 }],
      completedAt: new Date().toISOString(),
    };
  }

  async followAuthor(authorId: string): Promise<void> {
    this.record('followAuthor', authorId);
    const followerId = this.callerId();
    if (authorId === followerId) throw grpcError(9, 'you cannot follow yourself', 'CANNOT_FOLLOW_SELF');
    if (!this.follows.some((f) => f.followerId === followerId && f.authorId === authorId)) this.follows.unshift({ followerId, authorId, followedAt: new Date().toISOString() });
  }

  async unfollowAuthor(authorId: string): Promise<void> {
    this.record('unfollowAuthor', authorId);
    const followerId = this.callerId();
    const at = this.follows.findIndex((f) => f.followerId === followerId && f.authorId === authorId);
    if (at >= 0) this.follows.splice(at, 1);
  }

  async listFollowers(authorId: string, page: PageRequest): Promise<Page<FollowerView>> {
    this.record('listFollowers', authorId, page);
    if (authorId !== this.callerId()) throw grpcError(7, 'only the author may list their followers', 'FOLLOWERS_PRIVATE');
    const mine = this.follows.filter((f) => f.authorId === authorId).map((f) => ({ id: f.followerId, displayName: null, followedAt: f.followedAt }));
    return fakePage(mine, page, (f) => ({ at: f.followedAt, id: f.id }));
  }

  async listFollowing(page: PageRequest): Promise<Page<FollowedAuthorView>> {
    this.record('listFollowing', page);
    const me = this.callerId();
    const mine = this.follows.filter((f) => f.followerId === me).map((f) => ({ id: f.authorId, displayName: null, followedAt: f.followedAt }));
    return fakePage(mine, page, (f) => ({ at: f.followedAt, id: f.id }));
  }

}
