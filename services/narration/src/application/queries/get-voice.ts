import { isUuid, type UnitOfWorkPort } from '@storytelling/kernel';
import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { Caller } from '@storytelling/platform';
import type { TrainingStatus, Voice, VoiceProfile, VoiceProvider, VoiceRepositories, VoiceRepository, VoiceSampleState } from '../../domain/index.js';
import { VoiceNotFoundError, isStockVoiceId, stockVoice } from '../../domain/index.js';
import { NARRATION_UNIT_OF_WORK } from '../ports/index.js';

export interface SampleView {
  id: string;
  emotion: string;
  text: string;
  durationSeconds: number;
  locked: boolean;
  /** The gateway signs it into a /files/... URL on every read. */
  audioObjectKey: string;
  contentType: string;
  createdAt: Date;
}

export interface VoiceView {
  id: string;
  name: string;
  /** A user id, or `stock`. */
  ownerId: string;
  trainingStatus: TrainingStatus;
  provider: VoiceProvider;
  samples: SampleView[];
  failureReason: string | null;
  profile: VoiceProfile | null;
  createdAt: Date;
}

export function sampleView(s: VoiceSampleState): SampleView {
  return {
    id: s.id,
    emotion: s.emotion,
    text: s.text,
    durationSeconds: s.durationSeconds,
    locked: s.locked,
    audioObjectKey: s.objectKey,
    contentType: s.contentType,
    createdAt: s.createdAt,
  };
}

/** A SampleView read back from its stored JSON (a replayed Idempotency-Key). */
export function reviveSampleView(stored: unknown): SampleView {
  const view = stored as SampleView;
  return { ...view, createdAt: new Date(view.createdAt) };
}

/** A VoiceView read back from its stored JSON (a replayed Idempotency-Key). */
export function reviveVoiceView(stored: unknown): VoiceView {
  const view = stored as VoiceView;
  return { ...view, samples: view.samples.map(reviveSampleView), createdAt: new Date(view.createdAt) };
}

export function voiceView(v: Voice): VoiceView {
  return {
    id: v.id,
    name: v.name,
    ownerId: v.ownerId,
    trainingStatus: v.trainingStatus,
    provider: v.provider,
    samples: v.samples.map(sampleView),
    failureReason: v.failureReason,
    profile: v.profile ? { ...v.profile } : null,
    createdAt: v.createdAt,
  };
}

/**
 * The caller's own voice (locked for the transaction with `lock`): VOICE_NOT_FOUND for an absent
 * id, someone else's voice and the stock voice alike (the stock voice is never changed).
 */
export async function ownedVoice(voices: VoiceRepository, caller: Caller, voiceId: string, options: { lock?: boolean } = {}): Promise<Voice> {
  if (!isUuid(voiceId) || isStockVoiceId(voiceId)) throw new VoiceNotFoundError();
  const voice = await voices.find(voiceId, options);
  if (!voice || !voice.isOwnedBy(caller.userId)) throw new VoiceNotFoundError();
  return voice;
}

export class GetVoiceQuery extends Query<VoiceView> {
  constructor(
    readonly caller: Caller,
    readonly voiceId: string,
  ) {
    super();
  }
}

/** GET /voices/:id: one of the caller's voices with its samples, or the stock voice. */
@QueryHandler(GetVoiceQuery)
export class GetVoiceHandler implements IQueryHandler<GetVoiceQuery> {
  constructor(@Inject(NARRATION_UNIT_OF_WORK) private readonly uow: UnitOfWorkPort<VoiceRepositories>) {}

  async execute({ caller, voiceId }: GetVoiceQuery): Promise<VoiceView> {
    if (isStockVoiceId(voiceId)) return voiceView(stockVoice());
    return voiceView(await ownedVoice(this.uow.reader.voices, caller, voiceId));
  }
}
