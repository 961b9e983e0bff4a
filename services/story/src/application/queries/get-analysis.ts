import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { Caller } from '@storytelling/platform';
import { loadVisibleStory } from '../access.js';
import { buildAnalysisView } from '../analysis-view.js';
import type { StoryUnitOfWork } from '../ports/index.js';
import { STORY_UNIT_OF_WORK } from '../ports/index.js';
import type { AnalysisView } from '../views.js';

export class GetAnalysisQuery extends Query<AnalysisView> {
  constructor(
    readonly actor: Caller,
    readonly storyId: string,
  ) {
    super();
  }
}

/** The analysis of the story's current content; same visibility as the story. */
@QueryHandler(GetAnalysisQuery)
export class GetAnalysisHandler implements IQueryHandler<GetAnalysisQuery> {
  constructor(@Inject(STORY_UNIT_OF_WORK) private readonly uow: StoryUnitOfWork) {}

  async execute(query: GetAnalysisQuery): Promise<AnalysisView> {
    const story = await loadVisibleStory(this.uow.reader, query.storyId, query.actor);
    return buildAnalysisView(this.uow.reader, story);
  }
}
