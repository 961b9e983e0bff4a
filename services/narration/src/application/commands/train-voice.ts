import { CLOCK, uuidv7, type Clock, type UnitOfWorkPort } from '@storytelling/kernel';
import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { Caller } from '@storytelling/platform';
import type { VoiceRepositories } from '../../domain/index.js';
import { VoiceCloningNotInTierError } from '../../domain/index.js';
import type { SubscriptionPlans } from '../ports/index.js';
import { NARRATION_UNIT_OF_WORK, SUBSCRIPTION_PLANS } from '../ports/index.js';
import { ownedVoice, voiceView, type VoiceView } from '../queries/get-voice.js';
import { VOICE_TRAINING_WAKEUP, type VoiceTrainingWakeup } from './run-voice-training-job.js';

export class TrainVoiceCommand extends Command<VoiceView> {
  constructor(
    readonly caller: Caller,
    readonly voiceId: string,
  ) {
    super();
  }
}

/**
 * POST /voices/:id/train (202): checks the voice can be trained (VOICE_TRAINING while it is,
 * NOT_ENOUGH_EMOTIONS under five distinct emotions), then asks subscription whether the owner's
 * tier has voiceCloning (VOICE_CLONING_NOT_IN_TIER: free), then in one transaction moves the
 * voice to `training` and queues a training job; the workers are woken. Answers the voice as
 * `training`: it becomes ready or failed when the job ends.
 */
@CommandHandler(TrainVoiceCommand)
export class TrainVoiceHandler implements ICommandHandler<TrainVoiceCommand> {
  constructor(
    @Inject(NARRATION_UNIT_OF_WORK) private readonly uow: UnitOfWorkPort<VoiceRepositories>,
    @Inject(SUBSCRIPTION_PLANS) private readonly plans: SubscriptionPlans,
    @Inject(VOICE_TRAINING_WAKEUP) private readonly wakeup: VoiceTrainingWakeup,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute({ caller, voiceId }: TrainVoiceCommand): Promise<VoiceView> {
    (await ownedVoice(this.uow.reader.voices, caller, voiceId)).assertTrainable();
    // No transaction is open during the call to subscription.
    if (!(await this.plans.voiceCloningAllowed(caller.userId))) throw new VoiceCloningNotInTierError();
    const view = await this.uow.run(async (repos) => {
      const voice = await ownedVoice(repos.voices, caller, voiceId, { lock: true });
      voice.startTraining();
      await repos.voices.save(voice);
      const now = this.clock.now();
      await repos.voiceTrainingJobs.enqueue({ id: uuidv7(now.getTime()), voiceId: voice.id, at: now });
      return voiceView(voice);
    });
    this.wakeup.notify();
    return view;
  }
}
