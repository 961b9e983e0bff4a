export * from './access.js';
export * from './analysis-view.js';
export * from './commands/archive-story.js';
export * from './commands/create-story.js';
export * from './commands/deactivate-author.js';
export * from './commands/follow-author.js';
export * from './commands/record-author-profile.js';
export * from './commands/request-analysis.js';
export * from './commands/run-analysis-job.js';
export * from './commands/unfollow-author.js';
export * from './commands/update-story.js';
export * from './ports/index.js';
export * from './queries/get-analysis.js';
export * from './queries/get-characters.js';
export * from './queries/get-story.js';
export * from './queries/list-followers.js';
export * from './queries/list-following.js';
export * from './queries/list-stories.js';
export * from './validation.js';
export * from './views.js';

import { ArchiveStoryHandler } from './commands/archive-story.js';
import { CreateStoryHandler } from './commands/create-story.js';
import { DeactivateAuthorHandler } from './commands/deactivate-author.js';
import { FollowAuthorHandler } from './commands/follow-author.js';
import { RecordAuthorProfileHandler } from './commands/record-author-profile.js';
import { RequestAnalysisHandler } from './commands/request-analysis.js';
import { RunAnalysisJobHandler } from './commands/run-analysis-job.js';
import { UnfollowAuthorHandler } from './commands/unfollow-author.js';
import { UpdateStoryHandler } from './commands/update-story.js';
import { GetAnalysisHandler } from './queries/get-analysis.js';
import { GetCharactersHandler } from './queries/get-characters.js';
import { GetStoryHandler } from './queries/get-story.js';
import { ListFollowersHandler } from './queries/list-followers.js';
import { ListFollowingHandler } from './queries/list-following.js';
import { ListStoriesHandler } from './queries/list-stories.js';

export const COMMAND_HANDLERS = [
  CreateStoryHandler,
  UpdateStoryHandler,
  ArchiveStoryHandler,
  RequestAnalysisHandler,
  RunAnalysisJobHandler,
  FollowAuthorHandler,
  UnfollowAuthorHandler,
  RecordAuthorProfileHandler,
  DeactivateAuthorHandler,
];
export const QUERY_HANDLERS = [GetStoryHandler, ListStoriesHandler, GetAnalysisHandler, GetCharactersHandler, ListFollowersHandler, ListFollowingHandler];
