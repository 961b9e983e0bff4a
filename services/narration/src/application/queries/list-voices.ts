import type { UnitOfWorkPort } from '@storytelling/kernel';
import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { Caller } from '@storytelling/platform';
import type { VoiceRepositories } from '../../domain/index.js';
import { stockVoice } from '../../domain/index.js';
import { NARRATION_UNIT_OF_WORK } from '../ports/index.js';
import { voiceView, type VoiceView } from './get-voice.js';

export class ListVoicesQuery extends Query<VoiceView[]> {
  constructor(readonly caller: Caller) {
    super();
  }
}

/** GET /voices: the stock narrator voice first, then the caller's voices, oldest first. */
@QueryHandler(ListVoicesQuery)
export class ListVoicesHandler implements IQueryHandler<ListVoicesQuery> {
  constructor(@Inject(NARRATION_UNIT_OF_WORK) private readonly uow: UnitOfWorkPort<VoiceRepositories>) {}

  async execute({ caller }: ListVoicesQuery): Promise<VoiceView[]> {
    const own = await this.uow.reader.voices.listByOwner(caller.userId);
    return [stockVoice(), ...own].map(voiceView);
  }
}
