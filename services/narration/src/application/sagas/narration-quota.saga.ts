import { narrationCommands, narrationEvents, subscriptionCommands, subscriptionEvents } from '@storytelling/contracts';
import { Inject, Injectable } from '@nestjs/common';
import { defineSaga, type SagaBinding, type SagaInstance } from '@storytelling/platform';
import { NarrationFailureReasons, type NarrationWorkRepositories } from '../../domain/index.js';
import { NARRATION_UNIT_OF_WORK } from '../ports/index.js';
import type { NarrationsUnitOfWork } from '../queries/get-narration.js';

const subscription = subscriptionCommands.participant;
const narration = narrationCommands.participant;

export const NARRATION_QUOTA_SAGA = 'narration-quota';

/** What the saga remembers (saga_instances.state). */
export interface NarrationQuotaState {
  narrationId: string;
  storyId: string;
  ownerId: string;
  voiceId: string;
  characterVoices: Record<string, string>;
  /** Chosen here; names the reservation in CommitUsage / ReleaseUsage. */
  reservationId: string;
  /** How long subscription holds the reservation without a commit (s). */
  reservationTtlSeconds: number;
}

/** What the local effects work with: the repositories of the transaction the reply runs in. */
export interface NarrationQuotaDeps {
  repos: NarrationWorkRepositories;
}

type Saga = SagaInstance<NarrationQuotaState>;

/**
 * The narration-quota saga (docs/narration.md "Quota"): a narration the author asked for counts
 * against their `narrations` quota only if it is made.
 * - reserve-quota: ReserveUsage(narrations, 1) to subscription; UsageReserved goes on;
 *   QuotaExceeded fails the narration (QUOTA_EXCEEDED) and the saga, with nothing to undo.
 * - generate: GenerateNarration to narration's own `narration.commands` (the worker synthesises);
 *   NarrationGenerated goes on; NarrationFailed releases the reservation (ReleaseUsage, confirmed
 *   by UsageReleased): the saga ends compensated.
 * - commit-quota: CommitUsage; UsageCommitted completes the saga.
 * No deadlines: the worker always ends a narration (completed or failed, JOB_ABANDONED after its
 * attempts), and a reservation left alone expires at subscription (its TTL).
 */
export const narrationQuotaSaga = defineSaga<NarrationQuotaState, NarrationQuotaDeps>(NARRATION_QUOTA_SAGA, (step) => [
  step('reserve-quota')
    .invokeParticipant((saga) =>
      subscription.reserveUsage({
        sagaId: saga.id,
        reservationId: saga.state.reservationId,
        userId: saga.state.ownerId,
        resource: 'narrations',
        amount: 1,
        ttlSeconds: saga.state.reservationTtlSeconds,
      }),
    )
    .correlate('reservationId', (s) => s.reservationId)
    .onReply(subscriptionEvents.UsageReserved)
    .failsOn(subscriptionEvents.QuotaExceeded, (saga, _refused, deps) => failNarration(saga, NarrationFailureReasons.quotaExceeded, deps))
    .withCompensation('release-quota', (saga) => subscription.releaseUsage({ sagaId: saga.id, reservationId: saga.state.reservationId }), subscriptionEvents.UsageReleased),
  step('generate')
    .invokeParticipant((saga) =>
      narration.generateNarration({
        sagaId: saga.id,
        narrationId: saga.state.narrationId,
        storyId: saga.state.storyId,
        ownerId: saga.state.ownerId,
        voiceId: saga.state.voiceId,
        characterVoices: saga.state.characterVoices,
      }),
    )
    .correlate('narrationId', (s) => s.narrationId)
    .onReply(narrationEvents.NarrationGenerated)
    .failsOn(narrationEvents.NarrationFailed, async (_saga, failed) => failed.reason || 'generation_failed'),
  step('commit-quota')
    .invokeParticipant((saga) => subscription.commitUsage({ sagaId: saga.id, reservationId: saga.state.reservationId }))
    .correlate('reservationId', (s) => s.reservationId)
    .onReply(subscriptionEvents.UsageCommitted),
]);

/** The quota refused it: the narration fails (NarrationFailed) before any work. */
async function failNarration(saga: Saga, reason: string, { repos }: NarrationQuotaDeps): Promise<string> {
  const found = await repos.narrations.find(saga.state.narrationId, { lock: true });
  if (found?.fail(reason)) await repos.narrations.save(found);
  return reason;
}

/** The saga as this service runs it: its local effects use the repositories of the running transaction. */
@Injectable()
export class NarrationQuotaSagaBinding implements SagaBinding<NarrationQuotaState, NarrationQuotaDeps> {
  readonly definition = narrationQuotaSaga;

  constructor(@Inject(NARRATION_UNIT_OF_WORK) private readonly uow: NarrationsUnitOfWork) {}

  deps(): NarrationQuotaDeps {
    return { repos: this.uow.reader };
  }
}
