import { DomainError } from '@storytelling/kernel';
import { PROTO_SERVICES, type story } from '@storytelling/contracts';
import {
  createGrpcClient,
  getLogger,
  GrpcStatus,
  metadataValue,
  noServiceToken,
  RpcMetadataKeys,
  withServiceToken,
  type GrpcClient,
  type GrpcMetadata,
  type ReadinessCheck,
  type ServiceTokenSource,
} from '@storytelling/platform';
import type { NarratableStory, StoryReader, StorySource } from '../../application/ports/index.js';
import { StoryNotAnalysedError, StoryNotFoundError, isEmotion, type EmotionMoment, type StoryCharacter } from '../../domain/index.js';

export interface GrpcStorySourceOptions {
  /** STORY_GRPC_URL. */
  url: string;
  deadlineMs: number;
  /** This service's tokens, for reads made without a user (the worker). */
  serviceTokens?: ServiceTokenSource;
}

/**
 * Anti-corruption layer over story's gRPC (GetStory + GetAnalysis): story's Story and Analysis
 * become this context's NarratableStory. A read for the caller carries the bearer token of the
 * call being served (platform clients take it from the call context); a read for the service
 * carries narration's service token. Translation:
 * - NOT_FOUND (absent, or invisible to the reader) → StoryNotFoundError (404 STORY_NOT_FOUND);
 * - an analysis that is not `analyzed`, or is for other content than the story's → StoryNotAnalysedError (422);
 * - analysed emotions outside the emotion set are dropped, intensities kept for ranking;
 * - other refusals keep their kind and code (e.g. 403 SERVICE_NOT_ALLOWED); a story that does
 *   not answer is DEPENDENCY_UNAVAILABLE (503).
 */
export class GrpcStorySource implements StorySource {
  private readonly client: GrpcClient<story.StoryServiceClient>;
  private readonly log = getLogger('story-source');

  constructor(private readonly options: GrpcStorySourceOptions) {
    this.client = createGrpcClient<story.StoryServiceClient>(PROTO_SERVICES.story, { url: options.url, deadlineMs: options.deadlineMs });
  }

  async narratable(storyId: string, reader: StoryReader): Promise<NarratableStory> {
    const { story: found } = await this.ask(reader, 'GetStory', () => this.client.getStory({ storyId }));
    const { analysis } = await this.ask(reader, 'GetAnalysis', () => this.client.getAnalysis({ storyId }));
    if (!found) throw new StoryNotFoundError();
    if (!analysis || analysis.status !== 'analyzed' || (found.contentHash && analysis.contentHash !== found.contentHash)) throw new StoryNotAnalysedError();
    return {
      storyId: found.id.toLowerCase(),
      authorId: found.authorId.toLowerCase(),
      published: found.status === 'published',
      content: found.content,
      characters: analysis.characters.map((c): StoryCharacter => ({ id: c.id.toLowerCase(), name: c.name })),
      emotions: analysis.emotions.flatMap((e): EmotionMoment[] => {
        const emotion = e.emotion.trim().toLowerCase();
        return isEmotion(emotion) ? [{ emotion, intensity: e.intensity, quote: e.quote, sentenceIndex: e.segmentIndex }] : [];
      }),
    };
  }

  async isPublishedFor(storyId: string): Promise<boolean> {
    try {
      const { story: found } = await this.ask('caller', 'GetStory', () => this.client.getStory({ storyId }));
      return found?.status === 'published';
    } catch (err) {
      if (err instanceof StoryNotFoundError) return false;
      throw err;
    }
  }

  readinessCheck(): ReadinessCheck {
    return this.client.readinessCheck('story');
  }

  close(): void {
    this.client.close();
  }

  private async ask<T>(reader: StoryReader, method: string, call: () => Promise<T>): Promise<T> {
    try {
      return await (reader === 'caller' ? call() : withServiceToken(this.options.serviceTokens ?? noServiceToken, 'story', call));
    } catch (err) {
      throw this.translate(method, err);
    }
  }

  private translate(method: string, err: unknown): Error {
    if (err instanceof DomainError) return err;
    const e = err as { code?: unknown; details?: unknown; metadata?: GrpcMetadata };
    if (e.code === GrpcStatus.NOT_FOUND) return new StoryNotFoundError();
    const code = metadataValue(e.metadata, RpcMetadataKeys.errorCode);
    const kind = metadataValue(e.metadata, RpcMetadataKeys.errorKind);
    if (code && (kind === 'forbidden' || kind === 'unauthenticated' || kind === 'validation')) {
      return new DomainError(kind, code, typeof e.details === 'string' ? e.details : `story refused ${method}`);
    }
    this.log.warn({ method, grpcCode: e.code, details: e.details }, 'story did not answer');
    return new DomainError('unavailable', 'DEPENDENCY_UNAVAILABLE', 'story could not be read');
  }
}
