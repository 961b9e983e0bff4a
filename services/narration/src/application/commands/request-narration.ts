import { CLOCK, ValidationError, isUuid, uuidv7, type Clock, type FieldError } from '@storytelling/kernel';
import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { Sagas, getLogger, type Caller, type SagaStarter } from '@storytelling/platform';
import type { ConversationStyle, NarratorProfile, VoiceRepository } from '../../domain/index.js';
import {
  DEFAULT_CONVERSATION_STYLE,
  DEFAULT_NARRATOR_PROFILE,
  Narration,
  NarrationQuotaExceededError,
  NotStoryAuthorError,
  STOCK_VOICE_ID,
  VoiceNotFoundError,
  isConversationStyle,
  isNarratorProfile,
  isStockVoiceId,
  segmentStory,
  voicedCharacters,
  voiceSegments,
} from '../../domain/index.js';
import { firstAnswer } from '../idempotency.js';
import type { IdempotentUnitOfWork, NarrationSettings, StorySource, SubscriptionPlans } from '../ports/index.js';
import { NARRATION_SETTINGS, NARRATION_UNIT_OF_WORK, STORY_SOURCE, SUBSCRIPTION_PLANS } from '../ports/index.js';
import { narrationView, reviveNarrationView, type NarrationsUnitOfWork, type NarrationView } from '../queries/get-narration.js';
import { narrationQuotaSaga } from '../sagas/narration-quota.saga.js';

export interface RequestNarrationInput {
  storyId: string;
  /** Empty: the caller's most recently trained ready voice, else the stock voice. */
  voiceId: string;
  characterVoices: Record<string, string>;
  /** Empty: neutral. */
  narratorProfile: string;
  /** Empty: respectful. */
  conversationStyle: string;
}

export class RequestNarrationCommand extends Command<NarrationView> {
  constructor(
    readonly caller: Caller,
    readonly input: RequestNarrationInput,
  ) {
    super();
  }
}

/**
 * POST /stories/:id/narrations (answered at once, status pending). The story is read from story
 * with the caller's token (404 when they cannot see it; 403 NOT_STORY_AUTHOR when it is not
 * theirs; 422 STORY_NOT_ANALYSED without an analysis of its current content) and segmented
 * there and then; every voice must be the caller's and ready, or the stock voice; characters
 * named in `characterVoices` must be the analysis' characters. subscription's CheckQuota refuses a
 * used-up quota (422 QUOTA_EXCEEDED); then the narration is stored with NarrationRequested and
 * the narration-quota saga starts in the same transaction (reserve → generate → commit).
 * Idempotency-Key: a key answered before (same request as validated) answers that first
 * narration before story or subscription are asked again (a retry is not refused by the quota
 * the first request used); another request under the key is 409 IDEMPOTENCY_KEY_REUSED.
 */
@CommandHandler(RequestNarrationCommand)
export class RequestNarrationHandler implements ICommandHandler<RequestNarrationCommand> {
  private readonly log = getLogger('narrations');

  constructor(
    @Inject(NARRATION_UNIT_OF_WORK) private readonly uow: IdempotentUnitOfWork<NarrationsUnitOfWork['reader']>,
    @Inject(STORY_SOURCE) private readonly stories: StorySource,
    @Inject(SUBSCRIPTION_PLANS) private readonly plans: SubscriptionPlans,
    @Inject(Sagas) private readonly sagas: SagaStarter,
    @Inject(NARRATION_SETTINGS) private readonly settings: NarrationSettings,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute({ caller, input }: RequestNarrationCommand): Promise<NarrationView> {
    const request = validate(input);
    const idempotent = { scope: 'narration.RequestNarration', principal: caller.userId, body: request };
    const replay = await firstAnswer(this.uow, idempotent, { revive: reviveNarrationView });
    if (replay) return replay.answer;
    const story = await this.stories.narratable(request.storyId, 'caller');
    if (story.authorId !== caller.userId) throw new NotStoryAuthorError();
    const characters = new Set(story.characters.map((c) => c.id));
    const unknown = Object.keys(request.characterVoices).filter((id) => !characters.has(id));
    if (unknown.length > 0) throw new ValidationError('invalid narration request', unknown.map((id) => ({ field: `characterVoices.${id}`, message: 'not a character of the analysed story' })));

    const voices = this.uow.reader.voices;
    const voiceId = request.voiceId || (await latestReadyVoice(voices, caller.userId));
    for (const id of new Set([voiceId, ...Object.values(request.characterVoices)])) await assertUsableVoice(voices, caller.userId, id);

    const drafts = segmentStory(story, { voiced: voicedCharacters(request.characterVoices, voiceId) });
    if (drafts.length === 0) throw new ValidationError('invalid narration request', [{ field: 'storyId', message: 'the story has no text to narrate' }]);
    if (!(await this.plans.narrationQuotaAllowed(caller.userId))) throw new NarrationQuotaExceededError();

    const narrationId = uuidv7(this.clock.now().getTime());
    const sagaId = uuidv7(this.clock.now().getTime());
    const narration = Narration.request(
      {
        id: narrationId,
        storyId: story.storyId,
        ownerId: caller.userId,
        voiceId,
        characterVoices: request.characterVoices,
        narratorProfile: request.narratorProfile,
        conversationStyle: request.conversationStyle,
        segments: voiceSegments(drafts, voiceId, request.characterVoices),
        sagaId,
      },
      this.clock,
    );
    let requested = false;
    const answer = await this.uow.runIdempotent(
      idempotent,
      async (repos) => {
        await repos.narrations.add(narration);
        await this.sagas.start(narrationQuotaSaga, {
          id: sagaId,
          key: `narration:${narrationId}`,
          state: {
            narrationId,
            storyId: story.storyId,
            ownerId: caller.userId,
            voiceId,
            characterVoices: request.characterVoices,
            reservationId: uuidv7(this.clock.now().getTime()),
            reservationTtlSeconds: this.settings.reservationTtlSeconds,
          },
        });
        requested = true;
        return narrationView(narration);
      },
      { revive: reviveNarrationView },
    );
    // Not requested here when a retry with the same key stored its narration first (that one answers).
    if (requested) this.log.info({ narrationId, storyId: story.storyId, segments: drafts.length, sagaId }, 'narration requested');
    return answer;
  }
}

interface ValidRequest {
  storyId: string;
  voiceId: string;
  characterVoices: Record<string, string>;
  narratorProfile: NarratorProfile;
  conversationStyle: ConversationStyle;
}

function validate(input: RequestNarrationInput): ValidRequest {
  const problems: FieldError[] = [];
  if (!isUuid(input.storyId)) problems.push({ field: 'storyId', message: 'must be a UUID' });
  const voiceId = (input.voiceId ?? '').trim().toLowerCase();
  if (voiceId !== '' && !isUuid(voiceId)) problems.push({ field: 'voiceId', message: 'must be a UUID' });
  const characterVoices: Record<string, string> = {};
  for (const [character, voice] of Object.entries(input.characterVoices ?? {})) {
    if (typeof voice !== 'string' || !isUuid(voice.trim())) problems.push({ field: `characterVoices.${character}`, message: 'must be a voice id (UUID)' });
    else characterVoices[character.trim().toLowerCase()] = voice.trim().toLowerCase();
  }
  const narratorProfile = (input.narratorProfile ?? '').trim().toLowerCase() || DEFAULT_NARRATOR_PROFILE;
  if (!isNarratorProfile(narratorProfile)) problems.push({ field: 'narratorProfile', message: 'one of neutral, grandma, kid, business, storyteller' });
  const conversationStyle = (input.conversationStyle ?? '').trim().toLowerCase() || DEFAULT_CONVERSATION_STYLE;
  if (!isConversationStyle(conversationStyle)) {
    problems.push({ field: 'conversationStyle', message: 'one of respectful, business, jovial, playful, close_friends, parent_to_child, child_to_parent, siblings' });
  }
  if (problems.length > 0) throw new ValidationError('invalid narration request', problems);
  return {
    storyId: input.storyId.toLowerCase(),
    voiceId,
    characterVoices,
    narratorProfile: narratorProfile as NarratorProfile,
    conversationStyle: conversationStyle as ConversationStyle,
  };
}

/** The owner's most recently trained ready voice, else the stock voice (API.md § Publishing). */
export async function latestReadyVoice(voices: VoiceRepository, ownerId: string): Promise<string> {
  const ready = (await voices.listByOwner(ownerId)).filter((v) => v.trainingStatus === 'ready');
  const trainedAt = (v: (typeof ready)[number]): number => v.toState().trainedAt?.getTime() ?? 0;
  const latest = ready.sort((a, b) => trainedAt(b) - trainedAt(a))[0];
  return latest?.id ?? STOCK_VOICE_ID;
}

/** The stock voice, or one of the owner's voices that is ready. @throws VoiceNotFoundError, VoiceNotReadyError */
export async function assertUsableVoice(voices: VoiceRepository, ownerId: string, voiceId: string): Promise<void> {
  if (isStockVoiceId(voiceId)) return;
  const voice = await voices.find(voiceId);
  if (!voice || !voice.isOwnedBy(ownerId)) throw new VoiceNotFoundError();
  voice.assertReady();
}
