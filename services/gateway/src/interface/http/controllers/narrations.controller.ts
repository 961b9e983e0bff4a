import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiBody, ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { redirectFound } from '../redirect.js';
import { FILE_LINKS, type FileLinks } from '../../../application/media.port.js';
import { NARRATION_PORT, type NarrationPort } from '../../../application/narration.port.js';
import { API_BASE_PATH } from '../api-prefix.js';
import { NoBody, NoQuery } from '../dto/common.dto.js';
import { NarrationDto, NarrationIdParams, RequestNarrationBody, SegmentParams } from '../dto/narration.dto.js';
import { StoryIdParams } from '../dto/story.dto.js';
import { RateLimit } from '../guards/rate-limit.guard.js';
import { ApiProblems } from '../openapi/api-problems.decorator.js';
import { LOCATION } from '../openapi/location-header.js';
import { ApiIdempotencyKey } from '../openapi/idempotency-key.decorator.js';
import { NarrationPresenter } from '../presenters/narration.presenter.js';
import { ProblemException } from '../problem/problem.js';

const narrationPath = (id: string): string => `${API_BASE_PATH}/narrations/${id}`;

/**
 * Narrations (API.md § Narration): a story narrated segment by segment, each segment in its
 * emotion, one segment regenerated alone, and the whole narration as one audio file. The
 * narration service decides who may see or change a narration (anyone else: 404
 * NARRATION_NOT_FOUND), checks the voice, the analysis and the quota; the gateway signs every
 * audio URL it answers.
 */
@ApiTags('narration')
@ApiBearerAuth()
@RateLimit('default')
@Controller()
export class NarrationsController {
  private readonly present: NarrationPresenter;

  constructor(
    @Inject(NARRATION_PORT) private readonly narration: NarrationPort,
    @Inject(FILE_LINKS) private readonly links: FileLinks,
  ) {
    this.present = new NarrationPresenter(links);
  }

  @Post('stories/:id/narrations')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Narrate a story',
    description:
      'The author (or a collaborator who may record). Segments follow the story\'s sentences and its analysed emotions (422 STORY_NOT_ANALYSED ' +
      'without an analysis); the voice must be ready or the stock narrator (422 VOICE_NOT_READY); counts against narrationsPerMonth (422 ' +
      'QUOTA_EXCEEDED). Answers at once with the narration `pending`; poll GET /narrations/:id (progress) until `completed` or `failed`.',
  })
  @ApiIdempotencyKey()
  @ApiAcceptedResponse({ description: 'The narration, pending', type: NarrationDto, headers: LOCATION('Where to poll the narration') })
  @ApiProblems(400, 401, 403, 404, 409, 413, 415, 422)
  async request(@Param() params: StoryIdParams, @Body() body: RequestNarrationBody, @Query() _query: NoQuery, @Res({ passthrough: true }) res: FastifyReply): Promise<NarrationDto> {
    const narration = await this.narration.requestNarration({
      storyId: params.id,
      voiceId: body.voiceId,
      characterVoices: body.characterVoices ?? {},
      ...(body.narratorProfile !== undefined ? { narratorProfile: body.narratorProfile } : {}),
      ...(body.conversationStyle !== undefined ? { conversationStyle: body.conversationStyle } : {}),
    });
    res.header('Location', narrationPath(narration.id));
    return this.present.narration(narration);
  }

  @Get('narrations/:id')
  @ApiOperation({
    summary: 'One narration with its segments',
    description: 'Its owner, and the story\'s readers once the story is published. Audio URLs are signed afresh on every read (valid 15 minutes).',
  })
  @ApiOkResponse({ description: 'The narration', type: NarrationDto })
  @ApiProblems(400, 401, 404)
  async get(@Param() params: NarrationIdParams, @Query() _query: NoQuery, @Res({ passthrough: true }) res: FastifyReply): Promise<NarrationDto> {
    const narration = await this.narration.getNarration(params.id);
    // The signed links inside expire: a cached copy would hand out dead ones.
    res.header('Cache-Control', 'no-store');
    return this.present.narration(narration);
  }

  @Post('narrations/:id/segments/:index/regenerate')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Synthesise one segment again',
    description: 'The owner (or a collaborator who may regenerate). Only that segment and the whole file change; answers at once, poll GET /narrations/:id.',
  })
  @ApiBody({ required: false, description: 'No body.', schema: { type: 'object', additionalProperties: false, maxProperties: 0 } })
  @ApiAcceptedResponse({ description: 'The narration, with the segment being regenerated', type: NarrationDto, headers: LOCATION('Where to poll the narration') })
  @ApiProblems(400, 401, 403, 404, 409, 422)
  async regenerate(@Param() params: SegmentParams, @Body() _body: NoBody, @Query() _query: NoQuery, @Res({ passthrough: true }) res: FastifyReply): Promise<NarrationDto> {
    const narration = await this.narration.regenerateSegment(params.id, params.index);
    res.header('Location', narrationPath(narration.id));
    return this.present.narration(narration);
  }

  @Get('narrations/:id/audio')
  @ApiOperation({
    summary: 'The whole narration as one audio file',
    description:
      'Who may read the narration. Redirects (302) to a freshly signed /files URL of the whole file (the segments joined with short pauses), ' +
      'which needs no token and answers Range requests (206), so any player can stream and seek it (docs/adr/0021-media-through-the-gateway.md). ' +
      '409 NARRATION_AUDIO_NOT_READY until the narration has completed once.',
  })
  @ApiResponse({
    status: 302,
    description: 'To the signed file link',
    headers: { Location: { description: 'The signed /api/v1/files/... URL (valid 15 minutes)', schema: { type: 'string', format: 'uri' } } },
  })
  @ApiProblems(400, 401, 404, 409)
  async audio(@Param() params: NarrationIdParams, @Query() _query: NoQuery, @Res() res: FastifyReply): Promise<void> {
    const narration = await this.narration.getNarration(params.id);
    if (!narration.audio) {
      throw ProblemException.of('NARRATION_AUDIO_NOT_READY', `The narration is ${narration.status}; its audio exists once it has completed.`);
    }
    // Every request gets a fresh signature: never cache the redirect itself.
    res.header('Cache-Control', 'no-store');
    redirectFound(res, this.links.urlFor(narration.audio.key));
  }
}
