import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { STORY_PORT, type StoryPort } from '../../../application/story.port.js';
import { AuthorIdParams, FollowerPageDto } from '../dto/author.dto.js';
import { NoBody, NoQuery } from '../dto/common.dto.js';
import { PageQuery } from '../dto/story.dto.js';
import { RateLimit } from '../guards/rate-limit.guard.js';
import { ApiProblems } from '../openapi/api-problems.decorator.js';
import { DEFAULT_PAGE_SIZE } from './stories.controller.js';

/** /authors: following authors (the story context's Author is a user seen by it). */
@ApiTags('authors')
@ApiBearerAuth()
@RateLimit('default')
@Controller('authors')
export class AuthorsController {
  constructor(@Inject(STORY_PORT) private readonly stories: StoryPort) {}

  @Post(':id/follow')
  @HttpCode(204)
  @ApiOperation({ summary: 'Follow an author', description: 'Idempotent. Following yourself is 422 CANNOT_FOLLOW_SELF.' })
  @ApiBody({ required: false, description: 'No body.', schema: { type: 'object', additionalProperties: false, maxProperties: 0 } })
  @ApiNoContentResponse({ description: 'Following' })
  @ApiProblems(400, 401, 404, 422)
  async follow(@Param() params: AuthorIdParams, @Body() _body: NoBody, @Query() _query: NoQuery): Promise<void> {
    await this.stories.followAuthor(params.id);
  }

  @Delete(':id/follow')
  @HttpCode(204)
  @ApiOperation({ summary: 'Stop following an author', description: 'Idempotent.' })
  @ApiNoContentResponse({ description: 'Not following' })
  @ApiProblems(400, 401, 404, 422)
  async unfollow(@Param() params: AuthorIdParams, @Query() _query: NoQuery): Promise<void> {
    await this.stories.unfollowAuthor(params.id);
  }

  @Get(':id/followers')
  @ApiOperation({ summary: "An author's followers", description: 'The author themself, most recent first.' })
  @ApiOkResponse({ description: 'One page of followers', type: FollowerPageDto })
  @ApiProblems(400, 401, 403, 404)
  listFollowers(@Param() params: AuthorIdParams, @Query() query: PageQuery): Promise<FollowerPageDto> {
    return this.stories.listFollowers(params.id, {
      limit: query.limit ?? DEFAULT_PAGE_SIZE,
      ...(query.cursor !== undefined ? { cursor: query.cursor } : {}),
    });
  }
}
