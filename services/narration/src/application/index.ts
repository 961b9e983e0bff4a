import type { Type } from '@nestjs/common';
import type { ICommandHandler, IQueryHandler } from '@nestjs/cqrs';

export * from './ports/index.js';
export * from './idempotency.js';
// Voices, samples and training.
export * from './commands/add-sample.js';
export * from './commands/create-voice.js';
export * from './commands/delete-sample.js';
export * from './commands/erase-user-voices.js';
export * from './commands/run-voice-training-job.js';
export * from './commands/train-voice.js';
export * from './queries/get-voice.js';
export * from './queries/list-voices.js';
// Narrations, their jobs and the quota saga.
export * from './commands/discard-narration.js';
export * from './commands/erase-user-narrations.js';
export * from './commands/generate-narration.js';
export * from './commands/regenerate-segment.js';
export * from './commands/request-narration.js';
export * from './commands/run-narration-job.js';
export * from './queries/get-narration.js';
export * from './queries/list-narrations.js';
export * from './sagas/narration-quota.saga.js';

import { AddSampleHandler } from './commands/add-sample.js';
import { CreateVoiceHandler } from './commands/create-voice.js';
import { DeleteSampleHandler } from './commands/delete-sample.js';
import { EraseUserVoicesHandler } from './commands/erase-user-voices.js';
import { RunVoiceTrainingJobHandler } from './commands/run-voice-training-job.js';
import { TrainVoiceHandler } from './commands/train-voice.js';
import { GetVoiceHandler } from './queries/get-voice.js';
import { ListVoicesHandler } from './queries/list-voices.js';
import { DiscardNarrationHandler } from './commands/discard-narration.js';
import { EraseUserNarrationsHandler } from './commands/erase-user-narrations.js';
import { GenerateNarrationHandler } from './commands/generate-narration.js';
import { RegenerateSegmentHandler } from './commands/regenerate-segment.js';
import { RequestNarrationHandler } from './commands/request-narration.js';
import { RunNarrationJobHandler } from './commands/run-narration-job.js';
import { GetNarrationHandler } from './queries/get-narration.js';
import { ListNarrationsHandler } from './queries/list-narrations.js';

const VOICE_COMMAND_HANDLERS: Type<ICommandHandler>[] = [CreateVoiceHandler, AddSampleHandler, DeleteSampleHandler, TrainVoiceHandler, RunVoiceTrainingJobHandler, EraseUserVoicesHandler];
const VOICE_QUERY_HANDLERS: Type<IQueryHandler>[] = [GetVoiceHandler, ListVoicesHandler];
const NARRATION_COMMAND_HANDLERS: Type<ICommandHandler>[] = [
  RequestNarrationHandler,
  GenerateNarrationHandler,
  DiscardNarrationHandler,
  RegenerateSegmentHandler,
  RunNarrationJobHandler,
  EraseUserNarrationsHandler,
];
const NARRATION_QUERY_HANDLERS: Type<IQueryHandler>[] = [GetNarrationHandler, ListNarrationsHandler];

/** One command and its handler per file in commands/<verb-noun>.ts; list each handler here. */
export const COMMAND_HANDLERS: Type<ICommandHandler>[] = [
  ...VOICE_COMMAND_HANDLERS,
  ...NARRATION_COMMAND_HANDLERS,
];
/** One query and its handler per file in queries/<get-noun>.ts; list each handler here. */
export const QUERY_HANDLERS: Type<IQueryHandler>[] = [
  ...VOICE_QUERY_HANDLERS,
  ...NARRATION_QUERY_HANDLERS,
];
