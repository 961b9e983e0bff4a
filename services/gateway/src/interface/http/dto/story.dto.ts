import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsString, IsUUID, Matches, Max, MaxLength, Min } from 'class-validator';
import {
  ANALYSIS_STATUSES,
  type AnalysisStatus,
  CHARACTER_ROLES,
  type CharacterRole,
  CONTENT_MAX,
  EMOTIONS,
  type Emotion,
  STORY_STATUSES,
  type StoryStatus,
  TITLE_MAX,
  TITLE_MIN,
} from '../../../domain/stories.js';
import { CodePointLength, CURSOR, CURSOR_MAX, IsCursor, LANGUAGE_TAG, MultiLineText, Optional, toQueryInt } from './validation.js';

// ---------------------------------------------------------------------------------------------
// requests

const TITLE_DESCRIPTION = `${TITLE_MIN}..${TITLE_MAX} characters (Unicode code points) after trimming; stored trimmed.`;
const CONTENT_DESCRIPTION = `The story text, at most ${CONTENT_MAX.toLocaleString('en')} characters (Unicode code points); may be empty.`;

export class CreateStoryBody {
  @ApiProperty({ minLength: TITLE_MIN, maxLength: TITLE_MAX, description: TITLE_DESCRIPTION, example: 'The Lighthouse Keeper' })
  @IsString({ message: 'must be a string' })
  @CodePointLength(TITLE_MIN, TITLE_MAX, { trim: true })
  title!: string;

  @ApiProperty({ maxLength: CONTENT_MAX, description: CONTENT_DESCRIPTION, example: 'Mara kept the light burning for forty years...' })
  @IsString({ message: 'must be a string' })
  @CodePointLength(0, CONTENT_MAX)
  @MultiLineText()
  content!: string;

  @ApiPropertyOptional({ description: 'BCP 47 language tag; defaults to "en".', maxLength: 35, example: 'en', pattern: LANGUAGE_TAG.source })
  @Optional()
  @IsString({ message: 'must be a string' })
  @MaxLength(35, { message: 'must be at most 35 characters' })
  @Matches(LANGUAGE_TAG, { message: 'must be a BCP 47 language tag such as en or pt-BR' })
  language?: string;
}

/** PATCH /stories/:id: title and/or content (at least one); `null` is not a value. */
export class UpdateStoryBody {
  @ApiPropertyOptional({ minLength: TITLE_MIN, maxLength: TITLE_MAX, description: TITLE_DESCRIPTION })
  @Optional()
  @IsString({ message: 'must be a string' })
  @CodePointLength(TITLE_MIN, TITLE_MAX, { trim: true })
  title?: string;

  @ApiPropertyOptional({ maxLength: CONTENT_MAX, description: `${CONTENT_DESCRIPTION} Changing the content of an analysed story returns it to draft.` })
  @Optional()
  @IsString({ message: 'must be a string' })
  @CodePointLength(0, CONTENT_MAX)
  @MultiLineText()
  content?: string;
}

export class StoryIdParams {
  @ApiProperty({ format: 'uuid', description: 'The story id.' })
  @IsUUID('all', { message: 'must be a UUID' })
  id!: string;
}

/** `?limit=&cursor=` (API.md § Conventions, lists). */
export class PageQuery {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 100, default: 20, description: 'Page size.' })
  @Optional()
  @Transform(toQueryInt)
  @IsInt({ message: 'must be an integer between 1 and 100' })
  @Min(1, { message: 'must be an integer between 1 and 100' })
  @Max(100, { message: 'must be an integer between 1 and 100' })
  limit?: number;

  @ApiPropertyOptional({ maxLength: CURSOR_MAX, pattern: CURSOR.source, description: '`nextCursor` of the previous page (opaque).' })
  @Optional()
  @IsString({ message: 'must be a string' })
  @MaxLength(CURSOR_MAX, { message: `must be at most ${CURSOR_MAX} characters` })
  @Matches(CURSOR, { message: 'is not a cursor issued by this API' })
  @IsCursor()
  cursor?: string;
}

export class ListStoriesQuery extends PageQuery {
  @ApiPropertyOptional({
    format: 'uuid',
    description: "Only this author's stories: your own id lists all of yours (archived ones only with status=archived); another author's id lists their published stories.",
  })
  @Optional()
  @IsUUID('all', { message: 'must be a UUID' })
  authorId?: string;

  @ApiPropertyOptional({ enum: STORY_STATUSES, description: 'Only stories in this status.' })
  @Optional()
  @IsIn(STORY_STATUSES, { message: `must be one of ${STORY_STATUSES.join(', ')}` })
  status?: StoryStatus;
}

// ---------------------------------------------------------------------------------------------
// responses

export class StoryDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ example: 'The Lighthouse Keeper' })
  title!: string;

  @ApiProperty()
  content!: string;

  @ApiProperty({ format: 'uuid' })
  authorId!: string;

  @ApiProperty({ example: 'en' })
  language!: string;

  @ApiProperty({ enum: STORY_STATUSES })
  status!: StoryStatus;

  @ApiProperty({ type: 'integer', minimum: 1, description: 'Optimistic-concurrency version; the ETag is `"<version>"`, send it back in If-Match.', example: 1 })
  version!: number;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt!: string;
}

/** A story in a list: no content (a page could be huge), an excerpt and the content's length instead. */
export class StorySummaryDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty()
  title!: string;

  @ApiProperty({ format: 'uuid' })
  authorId!: string;

  @ApiProperty({ example: 'en' })
  language!: string;

  @ApiProperty({ enum: STORY_STATUSES })
  status!: StoryStatus;

  @ApiProperty({ type: 'integer', minimum: 1 })
  version!: number;

  @ApiProperty({ description: 'The first 280 characters of the content.' })
  excerpt!: string;

  @ApiProperty({ type: 'integer', minimum: 0, description: 'Length of the content in characters (code points).' })
  contentLength!: number;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt!: string;
}

export class StoryPageDto {
  @ApiProperty({ type: () => [StorySummaryDto], description: 'Newest first.' })
  items!: StorySummaryDto[];

  @ApiProperty({ type: String, nullable: true, description: 'Pass as `cursor` for the next page; null on the last page.' })
  nextCursor!: string | null;
}

export class CharacterDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ example: 'Mara' })
  name!: string;

  @ApiProperty()
  description!: string;

  @ApiProperty()
  personality!: string;

  @ApiProperty({ enum: CHARACTER_ROLES })
  role!: CharacterRole;

  @ApiProperty({ type: [String] })
  traits!: string[];
}

export class EmotionDto {
  @ApiProperty({ enum: EMOTIONS })
  emotion!: Emotion;

  @ApiProperty({ type: 'integer', minimum: 1, maximum: 10 })
  intensity!: number;

  @ApiProperty()
  context!: string;

  @ApiProperty()
  quote!: string;

  @ApiProperty({ type: 'integer', minimum: 0, description: 'Index (0-based) of the content segment the moment belongs to.' })
  segmentIndex!: number;
}

export class AnalysisErrorDto {
  @ApiProperty({ example: 'ANALYSER_UNAVAILABLE', description: 'Stable code: ANALYSER_UNAVAILABLE, ANALYSER_REJECTED, ANALYSIS_TIMEOUT, ANALYSIS_INVALID_RESULT, ...' })
  code!: string;

  @ApiProperty()
  message!: string;
}

export class AnalysisDto {
  @ApiProperty({
    enum: ANALYSIS_STATUSES,
    description:
      'none: never requested; analyzing: in progress (poll); analyzed: results are for the current content; ' +
      'failed: the last attempt failed (see error); stale: results are for an earlier content (request a new analysis).',
  })
  status!: AnalysisStatus;

  @ApiProperty({ type: () => [CharacterDto] })
  characters!: CharacterDto[];

  @ApiProperty({ type: () => [EmotionDto] })
  emotions!: EmotionDto[];

  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'When the results (or the failure) were recorded.' })
  completedAt!: string | null;

  @ApiPropertyOptional({ type: () => AnalysisErrorDto, description: 'Only with status failed.' })
  error?: AnalysisErrorDto;
}
