import { Controller, Inject } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { GrpcMethod } from '@nestjs/microservices';
import type { narration } from '@storytelling/contracts';
import { CallerResolver, type MetadataLike } from '@storytelling/platform';
import { GetNarrationQuery, ListNarrationsQuery, RegenerateSegmentCommand, RequestNarrationCommand, type NarrationView } from '../application/index.js';

/**
 * The narrations half of NarrationService (the voice half is voices.grpc-controller.ts): each
 * method bound by name with @GrpcMethod, so two controllers serve one proto service. The caller
 * comes from the bearer token; the call's context carries that token on to story.
 */
@Controller()
export class NarrationsGrpcController {
  constructor(
    @Inject(CommandBus) private readonly commands: CommandBus,
    @Inject(QueryBus) private readonly queries: QueryBus,
    @Inject(CallerResolver) private readonly callers: CallerResolver,
  ) {}

  @GrpcMethod('NarrationService', 'RequestNarration')
  async requestNarration(request: narration.RequestNarrationRequest, metadata?: MetadataLike): Promise<narration.RequestNarrationResponse> {
    const caller = await this.callers.require(metadata);
    const view = await this.commands.execute(
      new RequestNarrationCommand(caller, {
        storyId: request.storyId,
        voiceId: request.voiceId,
        characterVoices: { ...request.characterVoices },
        narratorProfile: request.narratorProfile,
        conversationStyle: request.conversationStyle,
      }),
    );
    return { narration: toProtoNarration(view) };
  }

  @GrpcMethod('NarrationService', 'GetNarration')
  async getNarration(request: narration.GetNarrationRequest, metadata?: MetadataLike): Promise<narration.GetNarrationResponse> {
    const caller = await this.callers.require(metadata);
    return { narration: toProtoNarration(await this.queries.execute(new GetNarrationQuery(caller, request.narrationId))) };
  }

  @GrpcMethod('NarrationService', 'RegenerateSegment')
  async regenerateSegment(request: narration.RegenerateSegmentRequest, metadata?: MetadataLike): Promise<narration.RegenerateSegmentResponse> {
    const caller = await this.callers.require(metadata);
    return { narration: toProtoNarration(await this.commands.execute(new RegenerateSegmentCommand(caller, request.narrationId, request.index))) };
  }

  @GrpcMethod('NarrationService', 'ListNarrations')
  async listNarrations(request: narration.ListNarrationsRequest, metadata?: MetadataLike): Promise<narration.ListNarrationsResponse> {
    const caller = await this.callers.require(metadata);
    const page = await this.queries.execute(new ListNarrationsQuery(caller, { limit: request.page?.limit ?? 0, cursor: request.page?.cursor ?? '' }));
    return { narrations: page.items.map(toProtoNarration), page: { nextCursor: page.nextCursor ?? '' } };
  }
}

export function toProtoNarration(n: NarrationView): narration.Narration {
  return {
    id: n.id,
    storyId: n.storyId,
    ownerId: n.ownerId,
    voiceId: n.voiceId,
    characterVoices: { ...n.characterVoices },
    status: n.status,
    segments: n.segments.map((s) => ({
      index: s.index,
      text: s.text,
      emotion: s.emotion,
      voiceId: s.voiceId,
      audioObjectKey: s.audioObjectKey,
      contentType: s.contentType,
      durationSeconds: s.durationSeconds,
      characterId: s.characterId ?? '',
    })),
    audioObjectKey: n.audioObjectKey,
    contentType: n.contentType,
    durationSeconds: n.durationSeconds,
    failureReason: n.failureReason ?? '',
    progressDone: n.progress.done,
    progressTotal: n.progress.total,
    narratorProfile: n.narratorProfile,
    conversationStyle: n.conversationStyle,
    createdAt: n.createdAt.toISOString(),
    updatedAt: n.updatedAt.toISOString(),
  };
}
