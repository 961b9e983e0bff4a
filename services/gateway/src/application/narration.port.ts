import type { Page, PageRequest } from './story.port.js';
import type { ConversationStyle, Emotion, NarrationStatus, NarratorProfile, TrainingStatus, VoiceProvider } from '../domain/narrations.js';

/**
 * A stored media object as narration names it: its object key and real content type. The
 * gateway never hands a key to a client: it signs it into a short-lived `/files/...` URL on
 * every read (API.md § Files).
 */
export interface MediaRef {
  key: string;
  contentType: string;
}

export interface SampleRecord {
  id: string;
  emotion: Emotion;
  text: string;
  durationSeconds: number;
  locked: boolean;
  audio: MediaRef;
}

/** Voice matching's measures (absent before training). */
export interface VoiceProfileRecord {
  f0MedianHz: number;
  f0MinHz: number;
  f0MaxHz: number;
  charsPerSecond: number;
}

export interface VoiceRecord {
  id: string;
  name: string;
  trainingStatus: TrainingStatus;
  provider: VoiceProvider;
  samples: SampleRecord[];
  /** Why training failed; null otherwise. */
  failureReason: string | null;
  profile: VoiceProfileRecord | null;
  createdAt: string;
}

export interface SegmentRecord {
  index: number;
  text: string;
  emotion: Emotion;
  voiceId: string;
  /** The character speaking, when the segment is a quote attributed to one. */
  characterId: string | null;
  /** null until synthesised. */
  audio: MediaRef | null;
  durationSeconds: number | null;
}

export interface NarrationRecord {
  id: string;
  storyId: string;
  voiceId: string;
  characterVoices: Record<string, string>;
  narratorProfile: NarratorProfile;
  conversationStyle: ConversationStyle;
  status: NarrationStatus;
  segments: SegmentRecord[];
  /** The whole narration (segments joined with pauses); null until there is one. */
  audio: MediaRef | null;
  durationSeconds: number | null;
  failureReason: string | null;
  progress: { done: number; total: number };
  createdAt: string;
  updatedAt: string;
}

export interface AddSampleInput {
  voiceId: string;
  emotion: Emotion;
  text: string;
  /** Where the gateway streamed the audio (`uploads/<uuid>`). */
  uploadKey: string;
  /** What the client claimed; narration decides by the content. */
  declaredContentType: string;
}

export interface RequestNarrationInput {
  storyId: string;
  voiceId: string;
  characterVoices: Record<string, string>;
  narratorProfile?: NarratorProfile;
  conversationStyle?: ConversationStyle;
}

/**
 * What the gateway needs from the narration service. Every call acts for the caller (the adapter
 * forwards the verified bearer token); narration decides ownership (another user's voice or
 * narration is NOT_FOUND, like an absent one), checks audio by its content and enforces the
 * training and quota rules. Failures are thrown as gRPC service errors, which the problem filter
 * maps (VOICE_NOT_FOUND, SAMPLE_LOCKED, AUDIO_TOO_SHORT, ...).
 */
export interface NarrationPort {
  createVoice(name: string): Promise<VoiceRecord>;
  /** The caller's voices, the stock narrator first. */
  listVoices(): Promise<VoiceRecord[]>;
  getVoice(voiceId: string): Promise<VoiceRecord>;
  /** Narration takes the upload over (checks, normalises, deletes it) when this succeeds. */
  addSample(input: AddSampleInput): Promise<SampleRecord>;
  deleteSample(voiceId: string, sampleId: string): Promise<void>;
  /** Answers at once with the voice in `training`. */
  trainVoice(voiceId: string): Promise<VoiceRecord>;
  /** Answers at once with the narration `pending`. */
  requestNarration(input: RequestNarrationInput): Promise<NarrationRecord>;
  getNarration(narrationId: string): Promise<NarrationRecord>;
  /** Answers at once; the segment (and the whole file) change when it is synthesised again. */
  regenerateSegment(narrationId: string, index: number): Promise<NarrationRecord>;
  /** The caller's own narrations with their segments, newest first (the GDPR export). */
  listNarrations(page: PageRequest): Promise<Page<NarrationRecord>>;
  checkHealth(): Promise<void>;
  close(): void;
}

export const NARRATION_PORT = Symbol('NARRATION_PORT');
