import { uuidv7 } from '@storytelling/kernel';
import type { ObjectStorage } from '@storytelling/platform';
import type {
  AddSampleInput,
  NarrationPort,
  NarrationRecord,
  RequestNarrationInput,
  SampleRecord,
  VoiceRecord,
} from '../../src/application/narration.port.js';
import type { Page, PageRequest } from '../../src/application/story.port.js';
import { STOCK_VOICE_ID } from '../../src/domain/narrations.js';
import { FakePort, fakePage } from './fake-port.js';
import { grpcError } from './grpc-error.js';

/** gRPC status codes the fake answers with. */
const INVALID_ARGUMENT = 3;
const NOT_FOUND = 5;
const ALREADY_EXISTS = 6;
const FAILED_PRECONDITION = 9;

const STOCK: VoiceRecord = {
  id: STOCK_VOICE_ID,
  name: 'Storyteller',
  trainingStatus: 'ready',
  provider: 'stock',
  samples: [],
  failureReason: null,
  profile: null,
  createdAt: '2026-01-01T00:00:00.000Z',
};

async function readAll(storage: ObjectStorage, key: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of (await storage.get(key)).body) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * In-memory stand-in for the narration service behind the NarrationPort, for tests of the HTTP
 * layer. Like narration, it reads an upload from the shared media store, refuses what is not
 * audio (here: bytes not starting with `RIFF`), keeps its own copy under
 * `voices/<owner>/<voice>/samples/<id>.wav` and deletes the upload; voices and narrations are
 * their owner's alone (NOT_FOUND for anyone else). The real rules run in the e2e test.
 */
export class FakeNarration extends FakePort implements NarrationPort {
  readonly voices = new Map<string, VoiceRecord & { ownerId: string }>();
  readonly narrations = new Map<string, NarrationRecord & { ownerId: string }>();
  /** The media store the gateway streams uploads into (set by fakeGateway). */
  storage: ObjectStorage | undefined;

  constructor() {
    super('narration');
  }

  private strip<T extends { ownerId: string }>(record: T): Omit<T, 'ownerId'> {
    const { ownerId: _ownerId, ...rest } = record;
    return structuredClone(rest);
  }

  private ownVoice(voiceId: string): VoiceRecord & { ownerId: string } {
    const voice = this.voices.get(voiceId);
    if (!voice || voice.ownerId !== this.callerId()) throw grpcError(NOT_FOUND, 'voice not found', 'VOICE_NOT_FOUND');
    return voice;
  }

  private ownNarration(narrationId: string): NarrationRecord & { ownerId: string } {
    const narration = this.narrations.get(narrationId);
    if (!narration || narration.ownerId !== this.callerId()) throw grpcError(NOT_FOUND, 'narration not found', 'NARRATION_NOT_FOUND');
    return narration;
  }

  async createVoice(name: string): Promise<VoiceRecord> {
    this.record('createVoice', name);
    const voice = { ...STOCK, id: uuidv7(), name, trainingStatus: 'collecting' as const, provider: 'local' as const, ownerId: this.callerId(), createdAt: new Date().toISOString() };
    this.voices.set(voice.id, voice);
    return this.strip(voice);
  }

  async listVoices(): Promise<VoiceRecord[]> {
    this.record('listVoices');
    const me = this.callerId();
    return [structuredClone(STOCK), ...[...this.voices.values()].filter((v) => v.ownerId === me).map((v) => this.strip(v))];
  }

  async getVoice(voiceId: string): Promise<VoiceRecord> {
    this.record('getVoice', voiceId);
    if (voiceId === STOCK_VOICE_ID) return structuredClone(STOCK);
    return this.strip(this.ownVoice(voiceId));
  }

  async addSample(input: AddSampleInput): Promise<SampleRecord> {
    this.record('addSample', input);
    const voice = this.ownVoice(input.voiceId);
    const storage = this.storage!;
    const bytes = await readAll(storage, input.uploadKey);
    if (bytes.subarray(0, 4).toString('latin1') !== 'RIFF') throw grpcError(INVALID_ARGUMENT, 'not audio', 'AUDIO_NOT_AUDIO');
    const id = uuidv7();
    const key = `voices/${voice.ownerId}/${voice.id}/samples/${id}.wav`;
    await storage.put(key, bytes, { contentType: 'audio/wav' });
    await storage.delete(input.uploadKey);
    const sample: SampleRecord = { id, emotion: input.emotion, text: input.text, durationSeconds: 1.5, locked: false, audio: { key, contentType: 'audio/wav' } };
    voice.samples.push(sample);
    return structuredClone(sample);
  }

  async deleteSample(voiceId: string, sampleId: string): Promise<void> {
    this.record('deleteSample', voiceId, sampleId);
    const voice = this.ownVoice(voiceId);
    const sample = voice.samples.find((s) => s.id === sampleId);
    if (!sample) throw grpcError(NOT_FOUND, 'sample not found', 'SAMPLE_NOT_FOUND');
    if (sample.locked) throw grpcError(ALREADY_EXISTS, 'sample is locked by a trained voice', 'SAMPLE_LOCKED');
    voice.samples = voice.samples.filter((s) => s.id !== sampleId);
  }

  async trainVoice(voiceId: string): Promise<VoiceRecord> {
    this.record('trainVoice', voiceId);
    const voice = this.ownVoice(voiceId);
    if (new Set(voice.samples.map((s) => s.emotion)).size < 5) throw grpcError(FAILED_PRECONDITION, 'needs 5 emotions', 'NOT_ENOUGH_EMOTIONS');
    voice.trainingStatus = 'training';
    return this.strip(voice);
  }

  /** What training ends in: ready, samples locked, a profile. */
  finishTraining(voiceId: string): void {
    const voice = this.voices.get(voiceId)!;
    voice.trainingStatus = 'ready';
    voice.profile = { f0MedianHz: 180, f0MinHz: 120, f0MaxHz: 260, charsPerSecond: 14 };
    for (const s of voice.samples) s.locked = true;
  }

  async requestNarration(input: RequestNarrationInput): Promise<NarrationRecord> {
    this.record('requestNarration', input);
    const me = this.callerId();
    if (input.voiceId !== STOCK_VOICE_ID) {
      const voice = this.voices.get(input.voiceId);
      if (!voice || voice.ownerId !== me) throw grpcError(NOT_FOUND, 'voice not found', 'VOICE_NOT_FOUND');
      if (voice.trainingStatus !== 'ready') throw grpcError(FAILED_PRECONDITION, 'voice not ready', 'VOICE_NOT_READY');
    }
    const now = new Date().toISOString();
    const narration = {
      id: uuidv7(),
      ownerId: me,
      storyId: input.storyId,
      voiceId: input.voiceId,
      characterVoices: { ...input.characterVoices },
      narratorProfile: input.narratorProfile ?? 'neutral',
      conversationStyle: input.conversationStyle ?? 'respectful',
      status: 'pending' as const,
      segments: [
        { index: 0, text: 'Once upon a time.', emotion: 'neutral' as const, voiceId: input.voiceId, characterId: null, audio: null, durationSeconds: null },
        { index: 1, text: '"Hello!" said Mara.', emotion: 'joy' as const, voiceId: input.voiceId, characterId: null, audio: null, durationSeconds: null },
      ],
      audio: null,
      durationSeconds: null,
      failureReason: null,
      progress: { done: 0, total: 2 },
      createdAt: now,
      updatedAt: now,
    };
    this.narrations.set(narration.id, narration);
    return this.strip(narration);
  }

  /** What the worker ends in: every segment and the whole file stored, completed. */
  async complete(narrationId: string, whole: Buffer): Promise<void> {
    const n = this.narrations.get(narrationId)!;
    for (const s of n.segments) {
      const key = `narrations/${n.ownerId}/${n.id}/segments/${s.index}-1.ogg`;
      await this.storage!.put(key, Buffer.from(`segment ${s.index}`), { contentType: 'audio/ogg' });
      s.audio = { key, contentType: 'audio/ogg' };
      s.durationSeconds = 1.25;
    }
    const key = `narrations/${n.ownerId}/${n.id}/narration-1.ogg`;
    await this.storage!.put(key, whole, { contentType: 'audio/ogg' });
    n.audio = { key, contentType: 'audio/ogg' };
    n.durationSeconds = 2.5;
    n.status = 'completed';
    n.progress = { done: n.segments.length, total: n.segments.length };
  }

  async getNarration(narrationId: string): Promise<NarrationRecord> {
    this.record('getNarration', narrationId);
    return this.strip(this.ownNarration(narrationId));
  }

  async regenerateSegment(narrationId: string, index: number): Promise<NarrationRecord> {
    this.record('regenerateSegment', narrationId, index);
    const n = this.ownNarration(narrationId);
    if (!n.segments.some((s) => s.index === index)) throw grpcError(NOT_FOUND, 'no such segment', 'SEGMENT_NOT_FOUND');
    n.status = 'processing';
    return this.strip(n);
  }

  async listNarrations(page: PageRequest): Promise<Page<NarrationRecord>> {
    this.record('listNarrations', page);
    const me = this.callerId();
    const mine = [...this.narrations.values()].filter((n) => n.ownerId === me).reverse();
    const slice = fakePage(mine, page, (n) => ({ at: n.createdAt, id: n.id }));
    return { items: slice.items.map((n) => this.strip(n)), nextCursor: slice.nextCursor };
  }
}
