import { isUuid, type UnitOfWorkPort } from '@storytelling/kernel';
import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { Caller } from '@storytelling/platform';
import type { Narration, NarrationStatus, NarrationWorkRepositories, VoiceRepository } from '../../domain/index.js';
import { NARRATION_AUDIO_CONTENT_TYPE, NarrationNotFoundError } from '../../domain/index.js';
import { NARRATION_UNIT_OF_WORK, STORY_SOURCE, type StorySource } from '../ports/index.js';

/** What narration use cases bind: their repositories and the voices they speak with. */
export type NarrationsUnitOfWork = UnitOfWorkPort<NarrationWorkRepositories & { voices: VoiceRepository }>;

export interface SegmentView {
  index: number;
  text: string;
  emotion: string;
  voiceId: string;
  characterId: string | null;
  /** Empty until synthesised; the gateway signs it into a /files/... URL on every read. */
  audioObjectKey: string;
  contentType: string;
  durationSeconds: number;
}

export interface NarrationView {
  id: string;
  storyId: string;
  ownerId: string;
  voiceId: string;
  characterVoices: Record<string, string>;
  /** discarded narrations are never shown. */
  status: Exclude<NarrationStatus, 'discarded'>;
  segments: SegmentView[];
  /** The whole narration; empty until completed. */
  audioObjectKey: string;
  contentType: string;
  durationSeconds: number;
  failureReason: string | null;
  progress: { done: number; total: number };
  narratorProfile: string;
  conversationStyle: string;
  createdAt: Date;
  updatedAt: Date;
}

export function narrationView(n: Narration): NarrationView {
  const s = n.state;
  if (s.status === 'discarded') throw new NarrationNotFoundError();
  return {
    id: s.id,
    storyId: s.storyId,
    ownerId: s.ownerId,
    voiceId: s.voiceId,
    characterVoices: { ...s.characterVoices },
    status: s.status,
    segments: s.segments.map((g) => ({
      index: g.index,
      text: g.text,
      emotion: g.emotion,
      voiceId: g.voiceId,
      characterId: g.characterId,
      audioObjectKey: g.audio?.objectKey ?? '',
      contentType: g.audio ? NARRATION_AUDIO_CONTENT_TYPE : '',
      durationSeconds: g.audio?.durationSeconds ?? 0,
    })),
    audioObjectKey: s.audio?.objectKey ?? '',
    contentType: s.audio ? NARRATION_AUDIO_CONTENT_TYPE : '',
    durationSeconds: s.audio?.durationSeconds ?? 0,
    failureReason: s.failureReason,
    progress: n.progress,
    narratorProfile: s.narratorProfile,
    conversationStyle: s.conversationStyle,
    createdAt: s.createdAt,
    updatedAt: s.updatedAt,
  };
}

/** A NarrationView read back from its stored JSON (a replayed Idempotency-Key). */
export function reviveNarrationView(stored: unknown): NarrationView {
  const view = stored as NarrationView;
  return { ...view, createdAt: new Date(view.createdAt), updatedAt: new Date(view.updatedAt) };
}

/** The caller's own narration (NARRATION_NOT_FOUND for an absent id, a discarded one and someone else's alike). */
export async function ownNarration(narrations: NarrationWorkRepositories['narrations'], caller: Caller, narrationId: string, options: { lock?: boolean } = {}): Promise<Narration> {
  if (!isUuid(narrationId)) throw new NarrationNotFoundError();
  const narration = await narrations.find(narrationId.toLowerCase(), options);
  if (!narration || narration.status === 'discarded' || narration.ownerId !== caller.userId) throw new NarrationNotFoundError();
  return narration;
}

export class GetNarrationQuery extends Query<NarrationView> {
  constructor(
    readonly caller: Caller,
    readonly narrationId: string,
  ) {
    super();
  }
}

/**
 * GET /narrations/:id: its owner's; once completed, also everyone's who can read its story
 * published (asked of story with the caller's token). Otherwise NARRATION_NOT_FOUND.
 */
@QueryHandler(GetNarrationQuery)
export class GetNarrationHandler implements IQueryHandler<GetNarrationQuery> {
  constructor(
    @Inject(NARRATION_UNIT_OF_WORK) private readonly uow: NarrationsUnitOfWork,
    @Inject(STORY_SOURCE) private readonly stories: StorySource,
  ) {}

  async execute({ caller, narrationId }: GetNarrationQuery): Promise<NarrationView> {
    if (!isUuid(narrationId)) throw new NarrationNotFoundError();
    const narration = await this.uow.reader.narrations.find(narrationId.toLowerCase());
    if (!narration || narration.status === 'discarded') throw new NarrationNotFoundError();
    if (narration.ownerId !== caller.userId) {
      // Readers hear finished narrations of published stories only.
      if (narration.status !== 'completed' || !(await this.stories.isPublishedFor(narration.state.storyId))) throw new NarrationNotFoundError();
    }
    return narrationView(narration);
  }
}
