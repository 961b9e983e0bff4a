export * from './access.js';
export * from './analysis/analysis-job-processor.js';
export * from './analysis/analysis-view.js';
export * from './commands/follows.js';
export * from './commands/request-analysis.js';
export * from './commands/stories.js';
export * from './ports/index.js';
export * from './queries/analysis.js';
export * from './queries/followers.js';
export * from './queries/stories.js';
export * from './validation.js';
export * from './views.js';

import { FollowAuthorHandler, UnfollowAuthorHandler } from './commands/follows.js';
import { RequestAnalysisHandler } from './commands/request-analysis.js';
import { ArchiveStoryHandler, CreateStoryHandler, UpdateStoryHandler } from './commands/stories.js';
import { GetAnalysisHandler, GetCharactersHandler } from './queries/analysis.js';
import { ListFollowersHandler } from './queries/followers.js';
import { GetStoryHandler, ListStoriesHandler } from './queries/stories.js';

export const COMMAND_HANDLERS = [
  CreateStoryHandler,
  UpdateStoryHandler,
  ArchiveStoryHandler,
  RequestAnalysisHandler,
  FollowAuthorHandler,
  UnfollowAuthorHandler,
];
export const QUERY_HANDLERS = [GetStoryHandler, ListStoriesHandler, GetAnalysisHandler, GetCharactersHandler, ListFollowersHandler];
