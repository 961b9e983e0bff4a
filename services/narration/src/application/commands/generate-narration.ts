import { CLOCK, DomainError, isUuid, uuidv7, type Clock } from '@storytelling/kernel';
import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { MalformedMessageError, getLogger } from '@storytelling/platform';
import { DEFAULT_CONVERSATION_STYLE, DEFAULT_NARRATOR_PROFILE, Narration, NarrationFailureReasons, STOCK_VOICE_ID } from '../../domain/index.js';
import type { NarrationWakeup } from '../ports/index.js';
import { NARRATION_UNIT_OF_WORK, NARRATION_WAKEUP } from '../ports/index.js';
import type { NarrationsUnitOfWork } from '../queries/get-narration.js';
import { assertUsableVoice, latestReadyVoice } from './request-narration.js';

export interface GenerateNarrationInput {
  sagaId: string;
  narrationId: string;
  storyId: string;
  ownerId: string;
  /** Empty: the owner's most recently trained ready voice, else the stock voice. */
  voiceId: string;
  characterVoices: Record<string, string>;
}

/** How GenerateNarration was answered (tests and logs). */
export type GenerateOutcome = 'queued' | 'already-queued' | 'answered-again' | 'failed';

/** GenerateNarration (narration.commands, from a saga): narrate a story for its author. */
export class GenerateNarrationCommand extends Command<GenerateOutcome> {
  constructor(readonly input: GenerateNarrationInput) {
    super();
  }
}

/**
 * Idempotent by narration id, in the consumer's transaction:
 * - unknown id: the narration is created (pending, NarrationRequested) for `ownerId` with the
 *   voice asked for (a voice that is not the owner's and ready fails it at once: VOICE_NOT_READY)
 *   and a generate job is queued; the worker reads the story with this service's token, segments
 *   it and synthesises. NarrationGenerated or NarrationFailed answers, carrying `sagaId`.
 * - a narration still pending or processing (the quota saga's own, or a resent command): its
 *   replies go to this saga; a job is queued unless one is.
 * - a finished narration: answered again (NarrationGenerated / NarrationFailed with this saga id);
 *   a discarded one fails (it is gone).
 */
@CommandHandler(GenerateNarrationCommand)
export class GenerateNarrationHandler implements ICommandHandler<GenerateNarrationCommand> {
  private readonly log = getLogger('narrations');

  constructor(
    @Inject(NARRATION_UNIT_OF_WORK) private readonly uow: NarrationsUnitOfWork,
    @Inject(NARRATION_WAKEUP) private readonly wakeup: NarrationWakeup,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute({ input }: GenerateNarrationCommand): Promise<GenerateOutcome> {
    for (const field of ['sagaId', 'narrationId', 'storyId', 'ownerId'] as const) {
      if (!isUuid(input[field])) throw new MalformedMessageError(`GenerateNarration without a UUID ${field}`);
    }
    const ids = { sagaId: input.sagaId.toLowerCase(), narrationId: input.narrationId.toLowerCase() };
    const outcome = await this.uow.run(async (repos): Promise<GenerateOutcome> => {
      const existing = await repos.narrations.find(ids.narrationId, { lock: true });
      if (existing) {
        if (!existing.answerGenerationAgain(ids.sagaId)) {
          existing.generationRequestedBy(ids.sagaId);
          await repos.narrations.save(existing);
          const queued = await repos.narrationJobs.enqueueGeneration({ id: uuidv7(this.clock.now().getTime()), narrationId: existing.id, at: this.clock.now() });
          return queued ? 'queued' : 'already-queued';
        }
        await repos.narrations.save(existing);
        return 'answered-again';
      }
      const ownerId = input.ownerId.toLowerCase();
      const characterVoices = Object.fromEntries(Object.entries(input.characterVoices ?? {}).map(([c, v]) => [c.toLowerCase(), v.toLowerCase()]));
      const voiceId = input.voiceId ? input.voiceId.toLowerCase() : await latestReadyVoice(repos.voices, ownerId);
      const narration = Narration.request(
        {
          id: ids.narrationId,
          storyId: input.storyId.toLowerCase(),
          ownerId,
          voiceId: isUuid(voiceId) ? voiceId : STOCK_VOICE_ID,
          characterVoices,
          narratorProfile: DEFAULT_NARRATOR_PROFILE,
          conversationStyle: DEFAULT_CONVERSATION_STYLE,
          segments: [],
          sagaId: ids.sagaId,
        },
        this.clock,
      );
      const unusable = await this.unusableVoice(repos.voices, ownerId, [voiceId, ...Object.values(characterVoices)]);
      if (unusable) {
        narration.fail(`${NarrationFailureReasons.voiceNotReady}: ${unusable}`);
        await repos.narrations.add(narration);
        return 'failed';
      }
      await repos.narrations.add(narration);
      await repos.narrationJobs.enqueueGeneration({ id: uuidv7(this.clock.now().getTime()), narrationId: narration.id, at: this.clock.now() });
      return 'queued';
    });
    this.log.info({ ...ids, outcome }, 'GenerateNarration');
    if (outcome === 'queued') this.wakeup.notify();
    return outcome;
  }

  private async unusableVoice(voices: NarrationsUnitOfWork['reader']['voices'], ownerId: string, voiceIds: readonly string[]): Promise<string | undefined> {
    for (const id of new Set(voiceIds)) {
      if (!isUuid(id)) return `voice ${id} is not a voice id`;
      try {
        await assertUsableVoice(voices, ownerId, id);
      } catch (err) {
        if (err instanceof DomainError) return err.message;
        throw err;
      }
    }
    return undefined;
  }
}
