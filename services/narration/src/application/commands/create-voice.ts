import { CLOCK, type Clock } from '@storytelling/kernel';
import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { Caller } from '@storytelling/platform';
import type { VoiceRepositories } from '../../domain/index.js';
import { Voice } from '../../domain/index.js';
import { NARRATION_UNIT_OF_WORK, type IdempotentUnitOfWork } from '../ports/index.js';
import { reviveVoiceView, voiceView, type VoiceView } from '../queries/get-voice.js';

export class CreateVoiceCommand extends Command<VoiceView> {
  constructor(
    readonly caller: Caller,
    readonly name: string,
  ) {
    super();
  }
}

/**
 * POST /voices: a voice owned by the caller, collecting samples (VoiceCreated). At most once per
 * Idempotency-Key: the same key and name answer the first voice; another name 409.
 */
@CommandHandler(CreateVoiceCommand)
export class CreateVoiceHandler implements ICommandHandler<CreateVoiceCommand> {
  constructor(
    @Inject(NARRATION_UNIT_OF_WORK) private readonly uow: IdempotentUnitOfWork<VoiceRepositories>,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute({ caller, name }: CreateVoiceCommand): Promise<VoiceView> {
    const voice = Voice.create({ ownerId: caller.userId, name }, this.clock);
    const request = { scope: 'narration.CreateVoice', principal: caller.userId, body: { name: voice.name } };
    return this.uow.runIdempotent(
      request,
      async (repos) => {
        await repos.voices.add(voice);
        return voiceView(voice);
      },
      { revive: reviveVoiceView },
    );
  }
}
