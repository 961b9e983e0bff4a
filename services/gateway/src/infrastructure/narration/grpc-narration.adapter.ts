import type { narration } from '@storytelling/contracts';
import type { GrpcClient, GrpcHealthProbe } from '@storytelling/platform';
import type {
  AddSampleInput,
  MediaRef,
  NarrationPort,
  NarrationRecord,
  RequestNarrationInput,
  SampleRecord,
  SegmentRecord,
  VoiceRecord,
} from '../../application/narration.port.js';
import type { Page, PageRequest } from '../../application/story.port.js';
import { isConversationStyle, isEmotion, isNarrationStatus, isNarratorProfile, isTrainingStatus, isVoiceProvider } from '../../domain/narrations.js';
import { ContractViolationError } from '../identity/grpc-identity.adapter.js';

/** The narration service's gRPC client (promise-based, built from the peer table by connectPeer). */
export type NarrationGrpcClient = GrpcClient<narration.NarrationServiceClient>;

export interface GrpcNarrationAdapterOptions {
  /**
   * Deadline of AddSample: narration decodes, measures and normalises up to 60 s of audio with
   * ffmpeg before it answers, which takes longer than the usual call.
   */
  addSampleDeadlineMs: number;
}

const orNull = (v: string | undefined | null): string | null => (v === undefined || v === null || v === '' ? null : v);

/** An object key with its content type; null when narration has none yet (empty key). */
function mediaRef(key: string | undefined, contentType: string | undefined): MediaRef | null {
  if (!key) return null;
  return { key, contentType: contentType || 'application/octet-stream' };
}

export function toSampleRecord(s: narration.Sample | undefined): SampleRecord {
  if (!s || !s.id || !isEmotion(s.emotion)) throw new ContractViolationError('sample', 'narration');
  const audio = mediaRef(s.audioObjectKey, s.contentType);
  if (!audio) throw new ContractViolationError('sample without audio', 'narration');
  return { id: s.id, emotion: s.emotion, text: s.text, durationSeconds: s.durationSeconds, locked: s.locked, audio };
}

export function toVoiceRecord(v: narration.Voice | undefined): VoiceRecord {
  if (!v || !v.id || !isTrainingStatus(v.trainingStatus) || !isVoiceProvider(v.provider)) throw new ContractViolationError('voice', 'narration');
  const p = v.profile;
  return {
    id: v.id,
    name: v.name,
    trainingStatus: v.trainingStatus,
    provider: v.provider,
    samples: (v.samples ?? []).map(toSampleRecord),
    failureReason: orNull(v.failureReason),
    profile: p ? { f0MedianHz: p.f0MedianHz, f0MinHz: p.f0MinHz, f0MaxHz: p.f0MaxHz, charsPerSecond: p.charsPerSecond } : null,
    createdAt: v.createdAt,
  };
}

function toSegmentRecord(s: narration.Segment): SegmentRecord {
  if (!isEmotion(s.emotion)) throw new ContractViolationError('segment', 'narration');
  const audio = mediaRef(s.audioObjectKey, s.contentType);
  return {
    index: s.index,
    text: s.text,
    emotion: s.emotion,
    voiceId: s.voiceId,
    characterId: orNull(s.characterId),
    audio,
    durationSeconds: audio ? s.durationSeconds : null,
  };
}

export function toNarrationRecord(n: narration.Narration | undefined): NarrationRecord {
  if (!n || !n.id || !isNarrationStatus(n.status)) throw new ContractViolationError('narration', 'narration');
  const audio = mediaRef(n.audioObjectKey, n.contentType);
  return {
    id: n.id,
    storyId: n.storyId,
    voiceId: n.voiceId,
    characterVoices: { ...(n.characterVoices ?? {}) },
    narratorProfile: isNarratorProfile(n.narratorProfile) ? n.narratorProfile : 'neutral',
    conversationStyle: isConversationStyle(n.conversationStyle) ? n.conversationStyle : 'respectful',
    status: n.status,
    segments: (n.segments ?? []).map(toSegmentRecord).sort((a, b) => a.index - b.index),
    audio,
    durationSeconds: audio ? n.durationSeconds : null,
    failureReason: orNull(n.failureReason),
    progress: { done: n.progressDone, total: n.progressTotal },
    createdAt: n.createdAt,
    updatedAt: n.updatedAt,
  };
}

/**
 * NarrationPort over the narration service's gRPC API: an anti-corruption layer from its
 * published language (object keys, empty strings for "none") to the gateway's records. The
 * caller's verified bearer token, correlation id, trace and Idempotency-Key travel as metadata;
 * errors stay gRPC service errors and are mapped to problems by the filter.
 */
export class GrpcNarrationAdapter implements NarrationPort {
  constructor(
    private readonly client: NarrationGrpcClient,
    private readonly health: GrpcHealthProbe,
    private readonly options: GrpcNarrationAdapterOptions,
  ) {}

  async createVoice(name: string): Promise<VoiceRecord> {
    return toVoiceRecord((await this.client.createVoice({ name })).voice);
  }

  async listVoices(): Promise<VoiceRecord[]> {
    return ((await this.client.listVoices({})).voices ?? []).map(toVoiceRecord);
  }

  async getVoice(voiceId: string): Promise<VoiceRecord> {
    return toVoiceRecord((await this.client.getVoice({ voiceId })).voice);
  }

  async addSample(input: AddSampleInput): Promise<SampleRecord> {
    const req: narration.AddSampleRequest = {
      voiceId: input.voiceId,
      emotion: input.emotion,
      text: input.text,
      uploadObjectKey: input.uploadKey,
      declaredContentType: input.declaredContentType,
    };
    return toSampleRecord((await this.client.addSample(req, { deadlineMs: this.options.addSampleDeadlineMs })).sample);
  }

  async deleteSample(voiceId: string, sampleId: string): Promise<void> {
    await this.client.deleteSample({ voiceId, sampleId });
  }

  async trainVoice(voiceId: string): Promise<VoiceRecord> {
    return toVoiceRecord((await this.client.trainVoice({ voiceId })).voice);
  }

  async requestNarration(input: RequestNarrationInput): Promise<NarrationRecord> {
    const req: narration.RequestNarrationRequest = {
      storyId: input.storyId,
      voiceId: input.voiceId,
      characterVoices: { ...input.characterVoices },
      // Empty: narration's defaults (neutral, respectful).
      narratorProfile: input.narratorProfile ?? '',
      conversationStyle: input.conversationStyle ?? '',
    };
    return toNarrationRecord((await this.client.requestNarration(req)).narration);
  }

  async getNarration(narrationId: string): Promise<NarrationRecord> {
    return toNarrationRecord((await this.client.getNarration({ narrationId })).narration);
  }

  async regenerateSegment(narrationId: string, index: number): Promise<NarrationRecord> {
    return toNarrationRecord((await this.client.regenerateSegment({ narrationId, index })).narration);
  }

  async listNarrations(page: PageRequest): Promise<Page<NarrationRecord>> {
    const res = await this.client.listNarrations({ page: { limit: page.limit, cursor: page.cursor ?? '' } });
    return { items: (res.narrations ?? []).map(toNarrationRecord), nextCursor: orNull(res.page?.nextCursor) };
  }

  checkHealth(): Promise<void> {
    return this.health.check('');
  }

  close(): void {
    this.client.close();
    this.health.close();
  }
}
