import type { Page } from '@storytelling/kernel';
import { Controller, Inject } from '@nestjs/common';
import { CallerResolver, type MetadataLike } from '@storytelling/platform';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { story } from '@storytelling/contracts';
import {
  ArchiveStoryCommand,
  CreateStoryCommand,
  FollowAuthorCommand,
  GetAnalysisQuery,
  GetCharactersQuery,
  GetStoryQuery,
  ListFollowersQuery,
  ListFollowingQuery,
  ListStoriesQuery,
  RequestAnalysisCommand,
  UnfollowAuthorCommand,
  UpdateStoryCommand,
  type AnalysisView,
  type StorySummaryView,
  type StoryView,
} from '../application/index.js';
import type { StoredCharacter, StoryChanges } from '../domain/index.js';

/**
 * story's gRPC surface. It implements the generated controller interface, so the compiler checks
 * it against proto/storytelling/story/v1/story_service.proto. Every method first resolves the
 * caller from the bearer token, then runs a command or query; errors are kernel DomainErrors
 * that the platform's gRPC filter maps to status codes.
 */
@Controller()
@story.StoryServiceControllerMethods()
export class StoryGrpcController implements story.StoryServiceController {
  constructor(
    @Inject(CommandBus) private readonly commands: CommandBus,
    @Inject(QueryBus) private readonly queries: QueryBus,
    @Inject(CallerResolver) private readonly callers: CallerResolver,
  ) {}

  async createStory(request: story.CreateStoryRequest, metadata?: MetadataLike): Promise<story.CreateStoryResponse> {
    const caller = await this.callers.require(metadata);
    const created = await this.commands.execute(new CreateStoryCommand(caller, request.title, request.content, request.language ?? undefined));
    return { story: toProtoStory(created) };
  }

  /** A member, or a fleet service (service token: any story that is not archived, docs/story.md). */
  async getStory(request: story.GetStoryRequest, metadata?: MetadataLike): Promise<story.GetStoryResponse> {
    const caller = await this.callers.requireUserOrService(metadata);
    return { story: toProtoStory(await this.queries.execute(new GetStoryQuery(caller, request.storyId))) };
  }

  async listStories(request: story.ListStoriesRequest, metadata?: MetadataLike): Promise<story.ListStoriesResponse> {
    const caller = await this.callers.require(metadata);
    const page: Page<StorySummaryView> = await this.queries.execute(
      new ListStoriesQuery(caller, { authorId: request.authorId ?? undefined, status: request.status ?? undefined }, pageRequest(request.page)),
    );
    return { stories: page.items.map(toProtoSummary), page: { nextCursor: page.nextCursor ?? '' } };
  }

  async updateStory(request: story.UpdateStoryRequest, metadata?: MetadataLike): Promise<story.UpdateStoryResponse> {
    const caller = await this.callers.require(metadata);
    // Only fields present in the message change (proto3 `optional`).
    const changes: StoryChanges = {};
    if (request.title !== undefined && request.title !== null) changes.title = request.title;
    if (request.content !== undefined && request.content !== null) changes.content = request.content;
    const updated = await this.commands.execute(new UpdateStoryCommand(caller, request.storyId, changes, expectedVersion(request.expectedVersion)));
    return { story: toProtoStory(updated) };
  }

  async archiveStory(request: story.ArchiveStoryRequest, metadata?: MetadataLike): Promise<story.ArchiveStoryResponse> {
    const caller = await this.callers.require(metadata);
    const archived = await this.commands.execute(new ArchiveStoryCommand(caller, request.storyId, expectedVersion(request.expectedVersion)));
    return { story: toProtoStory(archived) };
  }

  async requestAnalysis(request: story.RequestAnalysisRequest, metadata?: MetadataLike): Promise<story.RequestAnalysisResponse> {
    const caller = await this.callers.require(metadata);
    const result = await this.commands.execute(new RequestAnalysisCommand(caller, request.storyId));
    return { analysis: toProtoAnalysis(result.analysis), story: toProtoStory(result.story) };
  }

  /** As GetStory: a member, or a fleet service. */
  async getAnalysis(request: story.GetAnalysisRequest, metadata?: MetadataLike): Promise<story.GetAnalysisResponse> {
    const caller = await this.callers.requireUserOrService(metadata);
    return { analysis: toProtoAnalysis(await this.queries.execute(new GetAnalysisQuery(caller, request.storyId))) };
  }

  async getCharacters(request: story.GetCharactersRequest, metadata?: MetadataLike): Promise<story.GetCharactersResponse> {
    const caller = await this.callers.require(metadata);
    const result = await this.queries.execute(new GetCharactersQuery(caller, request.storyId));
    return { characters: result.characters.map(toProtoCharacter), contentHash: result.contentHash };
  }

  async followAuthor(request: story.FollowAuthorRequest, metadata?: MetadataLike): Promise<story.FollowAuthorResponse> {
    const caller = await this.callers.require(metadata);
    await this.commands.execute(new FollowAuthorCommand(caller, request.authorId));
    return {};
  }

  async unfollowAuthor(request: story.UnfollowAuthorRequest, metadata?: MetadataLike): Promise<story.UnfollowAuthorResponse> {
    const caller = await this.callers.require(metadata);
    await this.commands.execute(new UnfollowAuthorCommand(caller, request.authorId));
    return {};
  }

  async listFollowers(request: story.ListFollowersRequest, metadata?: MetadataLike): Promise<story.ListFollowersResponse> {
    const caller = await this.callers.requireUserOrService(metadata);
    const page = await this.queries.execute(new ListFollowersQuery(caller, request.authorId, pageRequest(request.page)));
    return {
      followers: page.items.map((f) => ({ userId: f.userId, displayName: f.displayName, followedAt: f.followedAt.toISOString() })),
      page: { nextCursor: page.nextCursor ?? '' },
    };
  }

  /** The caller's own follows only (a member's token; a service has none to list). */
  async listFollowing(request: story.ListFollowingRequest, metadata?: MetadataLike): Promise<story.ListFollowingResponse> {
    const caller = await this.callers.require(metadata);
    const page = await this.queries.execute(new ListFollowingQuery(caller, pageRequest(request.page)));
    return {
      authors: page.items.map((f) => ({ authorId: f.authorId, displayName: f.displayName, followedAt: f.followedAt.toISOString() })),
      page: { nextCursor: page.nextCursor ?? '' },
    };
  }
}

function pageRequest(page: { limit: number; cursor: string } | undefined): { limit?: number; cursor?: string } {
  return { limit: page?.limit ?? 0, cursor: page?.cursor ?? '' };
}

/** proto3 `optional int32`: absent is no precondition. (The gateway fills it from If-Match.) */
function expectedVersion(value: number | undefined | null): number | undefined {
  return value === undefined || value === null ? undefined : value;
}

export function toProtoStory(s: StoryView): story.Story {
  return {
    id: s.id,
    title: s.title,
    content: s.content,
    authorId: s.authorId,
    language: s.language,
    status: s.status,
    version: s.version,
    contentHash: s.contentHash,
    createdAt: s.createdAt.toISOString(),
    updatedAt: s.updatedAt.toISOString(),
  };
}

function toProtoSummary(s: StorySummaryView): story.StorySummary {
  return {
    id: s.id,
    title: s.title,
    authorId: s.authorId,
    language: s.language,
    status: s.status,
    version: s.version,
    contentHash: s.contentHash,
    excerpt: s.excerpt,
    contentLength: s.contentLength,
    createdAt: s.createdAt.toISOString(),
    updatedAt: s.updatedAt.toISOString(),
  };
}

function toProtoCharacter(c: StoredCharacter): story.Character {
  return { id: c.id, name: c.name, description: c.description, personality: c.personality, role: c.role, traits: [...c.traits] };
}

function toProtoAnalysis(a: AnalysisView): story.Analysis {
  return {
    storyId: a.storyId,
    status: a.status,
    contentHash: a.contentHash,
    characters: a.characters.map(toProtoCharacter),
    emotions: a.emotions.map((e) => ({ emotion: e.emotion, intensity: e.intensity, context: e.context, quote: e.quote, segmentIndex: e.segmentIndex })),
    errorCode: a.errorCode ?? '',
    errorMessage: a.errorMessage ?? '',
    completedAt: a.completedAt ? a.completedAt.toISOString() : '',
  };
}
