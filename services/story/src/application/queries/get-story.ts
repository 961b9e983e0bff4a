import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { Caller } from '@storytelling/platform';
import { loadVisibleStory } from '../access.js';
import type { StoryUnitOfWork } from '../ports/index.js';
import { STORY_UNIT_OF_WORK } from '../ports/index.js';
import type { StoryView } from '../views.js';
import { toStoryView } from '../views.js';

export class GetStoryQuery extends Query<StoryView> {
  constructor(
    readonly actor: Caller,
    readonly storyId: string,
  ) {
    super();
  }
}

/** The author, or anyone signed in once published, or a fleet service unless archived (mayRead); everyone else gets STORY_NOT_FOUND. */
@QueryHandler(GetStoryQuery)
export class GetStoryHandler implements IQueryHandler<GetStoryQuery> {
  constructor(@Inject(STORY_UNIT_OF_WORK) private readonly uow: StoryUnitOfWork) {}

  async execute(query: GetStoryQuery): Promise<StoryView> {
    return toStoryView(await loadVisibleStory(this.uow.reader, query.storyId, query.actor));
  }
}
