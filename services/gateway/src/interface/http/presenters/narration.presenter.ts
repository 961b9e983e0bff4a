import type { FileLinks } from '../../../application/media.port.js';
import type { NarrationRecord, SampleRecord, SegmentRecord, VoiceRecord } from '../../../application/narration.port.js';
import type { NarrationDto, SampleDto, SegmentDto, VoiceDto } from '../dto/narration.dto.js';

/**
 * Narration's records as the API shows them: every object key becomes a freshly signed
 * `/files/...` URL (API.md § Files: a resource that holds media signs it on every read), and
 * keys themselves never reach a client.
 */
export class NarrationPresenter {
  constructor(private readonly links: FileLinks) {}

  sample(s: SampleRecord): SampleDto {
    return {
      id: s.id,
      emotion: s.emotion,
      text: s.text,
      durationSeconds: s.durationSeconds,
      locked: s.locked,
      audioUrl: this.links.urlFor(s.audio.key),
      contentType: s.audio.contentType,
    };
  }

  voice(v: VoiceRecord): VoiceDto {
    return {
      id: v.id,
      name: v.name,
      trainingStatus: v.trainingStatus,
      provider: v.provider,
      samples: v.samples.map((s) => this.sample(s)),
      failureReason: v.failureReason,
      profile: v.profile ? { ...v.profile } : null,
      createdAt: v.createdAt,
    };
  }

  private segment(s: SegmentRecord): SegmentDto {
    return {
      index: s.index,
      text: s.text,
      emotion: s.emotion,
      voiceId: s.voiceId,
      characterId: s.characterId,
      audioUrl: s.audio ? this.links.urlFor(s.audio.key) : null,
      durationSeconds: s.durationSeconds,
    };
  }

  narration(n: NarrationRecord): NarrationDto {
    return {
      id: n.id,
      storyId: n.storyId,
      status: n.status,
      segments: n.segments.map((s) => this.segment(s)),
      voiceId: n.voiceId,
      characterVoices: { ...n.characterVoices },
      narratorProfile: n.narratorProfile,
      conversationStyle: n.conversationStyle,
      progress: { ...n.progress },
      audioUrl: n.audio ? this.links.urlFor(n.audio.key) : null,
      durationSeconds: n.durationSeconds,
      failureReason: n.failureReason,
      createdAt: n.createdAt,
      updatedAt: n.updatedAt,
    };
  }
}
