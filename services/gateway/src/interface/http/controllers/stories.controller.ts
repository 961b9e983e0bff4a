import { Body, Controller, Delete, Get, Headers, HttpCode, Inject, Param, Patch, Post, Query, Res } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiBody,
  ApiCreatedResponse,
  ApiHeader,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { STORY_PORT, type StoryPatch, type StoryPort } from '../../../application/story.port.js';
import { API_BASE_PATH } from '../api-prefix.js';
import { NoBody, NoQuery } from '../dto/common.dto.js';
import { AnalysisDto, CreateStoryBody, ListStoriesQuery, StoryDto, StoryIdParams, StoryPageDto, UpdateStoryBody } from '../dto/story.dto.js';
import { RateLimit } from '../guards/rate-limit.guard.js';
import { ApiProblems } from '../openapi/api-problems.decorator.js';
import { LOCATION } from '../openapi/location-header.js';
import { validationFailed } from '../pipes/validation.pipe.js';
import { etagOf, expectedVersion } from '../preconditions.js';
import { ApiIdempotencyKey } from '../openapi/idempotency-key.decorator.js';

export const DEFAULT_PAGE_SIZE = 20;
const storyPath = (id: string): string => `${API_BASE_PATH}/stories/${id}`;

const ETAG_HEADER = { ETag: { description: 'The story\'s version as an entity tag, `"<version>"`; send it back in If-Match.', schema: { type: 'string', example: '"3"' } } };

/**
 * /stories (API.md § Stories, except publishing). The story service decides ownership and
 * visibility: a story the caller may not see answers 404 STORY_NOT_FOUND, as an absent one.
 */
@ApiTags('stories')
@ApiBearerAuth()
@RateLimit('default')
@Controller('stories')
export class StoriesController {
  constructor(@Inject(STORY_PORT) private readonly stories: StoryPort) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({
    summary: 'Create a draft story',
    description:
      'The caller is the author. Bodies up to STORY_BODY_LIMIT (1 MB) are accepted here. Counts against the tier\'s storiesPerMonth (422 QUOTA_EXCEEDED when used up; 503 when the quota cannot be checked).',
  })
  @ApiIdempotencyKey()
  @ApiCreatedResponse({ description: 'The new draft', type: StoryDto, headers: { ...LOCATION('The new story'), ...ETAG_HEADER } })
  @ApiProblems(400, 401, 409, 413, 415, 422)
  async create(@Body() body: CreateStoryBody, @Query() _query: NoQuery, @Res({ passthrough: true }) res: FastifyReply): Promise<StoryDto> {
    const story = await this.stories.createStory({
      title: body.title,
      content: body.content,
      ...(body.language !== undefined ? { language: body.language } : {}),
    });
    res.header('Location', storyPath(story.id));
    res.header('ETag', etagOf(story.version));
    return story;
  }

  @Get()
  @ApiOperation({
    summary: 'Stories the caller may see',
    description: 'Your own stories (any status but archived, unless status=archived) and published ones, newest first. Items carry an excerpt instead of the content.',
  })
  @ApiOkResponse({ description: 'One page, newest first', type: StoryPageDto })
  @ApiProblems(400, 401)
  list(@Query() query: ListStoriesQuery): Promise<StoryPageDto> {
    return this.stories.listStories({
      limit: query.limit ?? DEFAULT_PAGE_SIZE,
      ...(query.cursor !== undefined ? { cursor: query.cursor } : {}),
      ...(query.authorId !== undefined ? { authorId: query.authorId } : {}),
      ...(query.status !== undefined ? { status: query.status } : {}),
    });
  }

  @Get(':id')
  @ApiOperation({ summary: 'One story', description: 'The author, or anyone signed in when it is published; anyone else gets 404.' })
  @ApiOkResponse({ description: 'The story', type: StoryDto, headers: ETAG_HEADER })
  @ApiProblems(400, 401, 404)
  async get(@Param() params: StoryIdParams, @Query() _query: NoQuery, @Res({ passthrough: true }) res: FastifyReply): Promise<StoryDto> {
    const story = await this.stories.getStory(params.id);
    res.header('ETag', etagOf(story.version));
    res.header('Cache-Control', 'private, no-cache');
    return story;
  }

  @Patch(':id')
  @ApiOperation({
    summary: 'Change the title and/or content',
    description: 'The author. If-Match is required (428 without it, 412 VERSION_CONFLICT when stale). Changing the content of an analysed story returns it to draft.',
  })
  @ApiHeader({ name: 'If-Match', required: true, description: 'The ETag (version) you last read, e.g. "3".' })
  @ApiBody({ type: UpdateStoryBody })
  @ApiOkResponse({ description: 'The story after the change', type: StoryDto, headers: ETAG_HEADER })
  @ApiProblems(400, 401, 404, 409, 412, 413, 415, 428)
  async update(
    @Param() params: StoryIdParams,
    @Body() body: UpdateStoryBody,
    @Query() _query: NoQuery,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) res: FastifyReply,
  ): Promise<StoryDto> {
    const patch: StoryPatch = {};
    if (body.title !== undefined) patch.title = body.title;
    if (body.content !== undefined) patch.content = body.content;
    if (Object.keys(patch).length === 0) {
      throw validationFailed('request body', [{ field: '', message: 'must contain at least one of title, content' }]);
    }
    const version = expectedVersion(ifMatch, true)!;
    const story = await this.stories.updateStory(params.id, patch, version);
    res.header('ETag', etagOf(story.version));
    return story;
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Archive a story', description: 'The author or an admin. Idempotent. An optional If-Match guards against archiving a story changed meanwhile (412).' })
  @ApiHeader({ name: 'If-Match', required: false, description: 'Optional: the ETag (version) you last read.' })
  @ApiNoContentResponse({ description: 'Archived' })
  @ApiProblems(400, 401, 403, 404, 412)
  async archive(@Param() params: StoryIdParams, @Query() _query: NoQuery, @Headers('if-match') ifMatch: string | undefined): Promise<void> {
    await this.stories.archiveStory(params.id, expectedVersion(ifMatch, false));
  }

  @Post(':id/analysis')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Analyse the story (characters and emotions)',
    description: 'The author. Answers the analysis in its pending state (`analyzing`); poll GET /stories/:id/analysis until `analyzed` (or `failed`). An analysis of the same content is reused at once.',
  })
  @ApiBody({ required: false, description: 'No body (an empty JSON object is accepted).', schema: { type: 'object', additionalProperties: false, maxProperties: 0 } })
  @ApiAcceptedResponse({ description: 'The analysis, pending (or already done when reused)', type: AnalysisDto, headers: LOCATION('Where to poll the analysis') })
  @ApiProblems(400, 401, 404, 409, 422)
  async requestAnalysis(@Param() params: StoryIdParams, @Body() _body: NoBody, @Query() _query: NoQuery, @Res({ passthrough: true }) res: FastifyReply): Promise<AnalysisDto> {
    const analysis = await this.stories.requestAnalysis(params.id);
    res.header('Location', `${storyPath(params.id)}/analysis`);
    return analysis;
  }

  @Get(':id/analysis')
  @ApiOperation({ summary: "The analysis of the story's current content", description: 'The author, or anyone signed in when the story is published.' })
  @ApiOkResponse({ description: 'The analysis', type: AnalysisDto })
  @ApiProblems(400, 401, 404)
  getAnalysis(@Param() params: StoryIdParams, @Query() _query: NoQuery): Promise<AnalysisDto> {
    return this.stories.getAnalysis(params.id);
  }
}
