import type { Story, StoryRepositories } from '../domain/index.js';
import { analysisStatus } from '../domain/index.js';
import type { AnalysisView } from './views.js';

/** What GetAnalysis answers for a story the caller may read (docs/adr/0007-story.md). */
export async function buildAnalysisView(repos: StoryRepositories, story: Story): Promise<AnalysisView> {
  const [stored, failure] = await Promise.all([repos.analyses.find(story.id), repos.jobs.lastFailure(story.id)]);
  const status = analysisStatus({
    storyStatus: story.status,
    storyContentHash: story.contentHash,
    stored,
    lastFailure: failure && failure.completedAt ? { contentHash: failure.contentHash, failedAt: failure.completedAt } : undefined,
  });
  const empty: AnalysisView = {
    storyId: story.id,
    status,
    contentHash: '',
    characters: [],
    emotions: [],
    errorCode: null,
    errorMessage: null,
    completedAt: null,
  };
  switch (status) {
    case 'none':
    case 'analyzing':
      return empty;
    case 'failed':
      return {
        ...empty,
        contentHash: failure!.contentHash,
        errorCode: failure!.lastErrorCode ?? 'ANALYSIS_FAILED',
        errorMessage: failure!.lastErrorMessage ?? 'the analysis failed',
        completedAt: failure!.completedAt,
      };
    case 'analyzed':
    case 'stale':
      return { ...empty, contentHash: stored!.contentHash, characters: stored!.characters, emotions: stored!.emotions, completedAt: stored!.createdAt };
  }
}
