import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { Caller } from '@storytelling/platform';
import { loadVisibleStory } from '../access.js';
import { buildAnalysisView } from '../analysis-view.js';
import type { StoryUnitOfWork } from '../ports/index.js';
import { STORY_UNIT_OF_WORK } from '../ports/index.js';
import type { CharactersView } from '../views.js';

export class GetCharactersQuery extends Query<CharactersView> {
  constructor(
    readonly actor: Caller,
    readonly storyId: string,
  ) {
    super();
  }
}

/** The characters of the analysis of the story's current content (none when it has none). */
@QueryHandler(GetCharactersQuery)
export class GetCharactersHandler implements IQueryHandler<GetCharactersQuery> {
  constructor(@Inject(STORY_UNIT_OF_WORK) private readonly uow: StoryUnitOfWork) {}

  async execute(query: GetCharactersQuery): Promise<CharactersView> {
    const story = await loadVisibleStory(this.uow.reader, query.storyId, query.actor);
    const analysis = await buildAnalysisView(this.uow.reader, story);
    return analysis.status === 'analyzed' ? { characters: analysis.characters, contentHash: analysis.contentHash } : { characters: [], contentHash: '' };
  }
}
