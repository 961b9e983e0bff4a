import { CLOCK, uuidv7, type Clock } from '@storytelling/kernel';
import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { Caller } from '@storytelling/platform';
import type { NarrationWakeup } from '../ports/index.js';
import { NARRATION_UNIT_OF_WORK, NARRATION_WAKEUP } from '../ports/index.js';
import { narrationView, ownNarration, type NarrationsUnitOfWork, type NarrationView } from '../queries/get-narration.js';

export class RegenerateSegmentCommand extends Command<NarrationView> {
  constructor(
    readonly caller: Caller,
    readonly narrationId: string,
    readonly index: number,
  ) {
    super();
  }
}

/**
 * POST /narrations/:id/segments/:index/regenerate (answered at once): the owner's completed
 * narration (NARRATION_NOT_FOUND otherwise; NARRATION_NOT_COMPLETED 409 while it is being made;
 * SEGMENT_NOT_FOUND for an index it does not have) gets a regeneration job. The worker
 * synthesises that segment again under a new key and rebuilds the whole file under a new key;
 * nothing else changes. Until then the narration answers with the current audio.
 */
@CommandHandler(RegenerateSegmentCommand)
export class RegenerateSegmentHandler implements ICommandHandler<RegenerateSegmentCommand> {
  constructor(
    @Inject(NARRATION_UNIT_OF_WORK) private readonly uow: NarrationsUnitOfWork,
    @Inject(NARRATION_WAKEUP) private readonly wakeup: NarrationWakeup,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute({ caller, narrationId, index }: RegenerateSegmentCommand): Promise<NarrationView> {
    const view = await this.uow.run(async (repos) => {
      const narration = await ownNarration(repos.narrations, caller, narrationId, { lock: true });
      narration.assertRegenerable(index);
      await repos.narrationJobs.enqueueRegeneration({ id: uuidv7(this.clock.now().getTime()), narrationId: narration.id, index, at: this.clock.now() });
      return narrationView(narration);
    });
    this.wakeup.notify();
    return view;
  }
}
