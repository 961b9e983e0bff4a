import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsString, IsUUID, Max, Min, ValidateBy, type ValidationOptions } from 'class-validator';
import {
  CHARACTER_VOICES_MAX,
  CONVERSATION_STYLES,
  type ConversationStyle,
  EMOTIONS,
  type Emotion,
  NARRATION_STATUSES,
  type NarrationStatus,
  NARRATOR_PROFILES,
  type NarratorProfile,
  SAMPLE_AUDIO_MAX_BYTES,
  SAMPLE_TEXT_MAX,
  STOCK_VOICE_ID,
  TRAINING_STATUSES,
  type TrainingStatus,
  VOICE_NAME_MAX,
  VOICE_PROVIDERS,
  type VoiceProvider,
} from '../../../domain/narrations.js';
import { CodePointLength, MultiLineText, Optional, toQueryInt } from './validation.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// ---------------------------------------------------------------------------------------------
// requests

export class CreateVoiceBody {
  @ApiProperty({ minLength: 1, maxLength: VOICE_NAME_MAX, description: `1..${VOICE_NAME_MAX} characters after trimming.`, example: 'Grandma Rose' })
  @IsString({ message: 'must be a string' })
  @CodePointLength(1, VOICE_NAME_MAX, { trim: true })
  name!: string;
}

export class VoiceIdParams {
  @ApiProperty({ format: 'uuid', description: `The voice id (the stock narrator is ${STOCK_VOICE_ID}).` })
  @IsUUID('all', { message: 'must be a UUID' })
  id!: string;
}

export class SampleParams extends VoiceIdParams {
  @ApiProperty({ format: 'uuid', description: 'The sample id.' })
  @IsUUID('all', { message: 'must be a UUID' })
  sampleId!: string;
}

export class NarrationIdParams {
  @ApiProperty({ format: 'uuid', description: 'The narration id.' })
  @IsUUID('all', { message: 'must be a UUID' })
  id!: string;
}

export class SegmentParams extends NarrationIdParams {
  @ApiProperty({ type: 'integer', minimum: 0, description: 'The segment index (0-based).' })
  @Transform(toQueryInt)
  @IsInt({ message: 'must be a non-negative integer' })
  @Min(0, { message: 'must be a non-negative integer' })
  @Max(2_147_483_647, { message: 'must be a non-negative integer' })
  index!: number;
}

/** `{<characterId>: <voiceId>}`: UUID keys and values, at most CHARACTER_VOICES_MAX entries. */
function IsCharacterVoices(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isCharacterVoices',
      validator: {
        validate: (value: unknown) =>
          typeof value === 'object' &&
          value !== null &&
          !Array.isArray(value) &&
          Object.keys(value).length <= CHARACTER_VOICES_MAX &&
          Object.entries(value).every(([k, v]) => UUID.test(k) && typeof v === 'string' && UUID.test(v)),
        defaultMessage: () => `must be an object of at most ${CHARACTER_VOICES_MAX} character ids (UUID) to voice ids (UUID)`,
      },
    },
    options,
  );
}

export class RequestNarrationBody {
  @ApiProperty({ format: 'uuid', description: `A ready voice of yours, or the stock narrator ${STOCK_VOICE_ID}.` })
  @IsUUID('all', { message: 'must be a UUID' })
  voiceId!: string;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'string', format: 'uuid' },
    description: `The voice of a character's quotes: \`{<characterId>: <voiceId>}\` (character ids from the story's analysis; at most ${CHARACTER_VOICES_MAX}).`,
    example: { '0190f2a0-0000-7000-8000-0000000000c1': '0190f2a0-0000-7000-8000-0000000000a1' },
  })
  @Optional()
  @IsCharacterVoices()
  characterVoices?: Record<string, string>;

  @ApiPropertyOptional({ enum: NARRATOR_PROFILES, default: 'neutral', description: 'How the narrator sounds (rate, pitch, volume).' })
  @Optional()
  @IsIn(NARRATOR_PROFILES, { message: `must be one of ${NARRATOR_PROFILES.join(', ')}` })
  narratorProfile?: NarratorProfile;

  @ApiPropertyOptional({ enum: CONVERSATION_STYLES, default: 'respectful', description: 'The tone between narrator and listener (pauses, rate).' })
  @Optional()
  @IsIn(CONVERSATION_STYLES, { message: `must be one of ${CONVERSATION_STYLES.join(', ')}` })
  conversationStyle?: ConversationStyle;
}

/** The multipart body of POST /voices/:id/samples, for the OpenAPI document (parsed by sample-upload.ts). */
export class AddSampleForm {
  @ApiProperty({ enum: EMOTIONS, description: 'The emotion the sample is spoken in (400 UNKNOWN_EMOTION outside the set).' })
  emotion!: Emotion;

  @ApiProperty({ minLength: 1, maxLength: SAMPLE_TEXT_MAX, description: 'What the recording says.' })
  @MultiLineText() // sample-upload.ts lets the text span lines; the OpenAPI document reads this mark
  text!: string;

  @ApiProperty({
    type: 'string',
    format: 'binary',
    description: `The recording: wav, mp3, ogg or webm, 1–60 s, at most ${SAMPLE_AUDIO_MAX_BYTES / (1024 * 1024)} MB (413 beyond). Checked by its content, not its name or declared type.`,
  })
  audio!: string;
}

// ---------------------------------------------------------------------------------------------
// responses

export class SampleDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ enum: EMOTIONS })
  emotion!: Emotion;

  @ApiProperty()
  text!: string;

  @ApiProperty({ description: 'Measured from the stored audio.', example: 4.2 })
  durationSeconds!: number;

  @ApiProperty({ description: 'Used by a trained voice: cannot be deleted (409 SAMPLE_LOCKED).' })
  locked!: boolean;

  @ApiProperty({ format: 'uri', description: 'The normalised recording: a signed link, fresh on every read (valid 15 minutes).' })
  audioUrl!: string;

  @ApiProperty({ example: 'audio/ogg' })
  contentType!: string;
}

export class VoiceProfileDto {
  @ApiProperty({ description: 'Median fundamental frequency of the samples (Hz).' })
  f0MedianHz!: number;

  @ApiProperty()
  f0MinHz!: number;

  @ApiProperty()
  f0MaxHz!: number;

  @ApiProperty({ description: 'Speaking pace: characters of sample text per second.' })
  charsPerSecond!: number;
}

export class VoiceDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ example: 'Grandma Rose' })
  name!: string;

  @ApiProperty({ enum: TRAINING_STATUSES, description: 'collecting samples → training → ready (or failed, see failureReason). The stock voice is always ready.' })
  trainingStatus!: TrainingStatus;

  @ApiProperty({ enum: VOICE_PROVIDERS, description: 'local: voice matching; elevenlabs: cloned; stock: the platform narrator.' })
  provider!: VoiceProvider;

  @ApiProperty({ type: () => [SampleDto] })
  samples!: SampleDto[];

  @ApiProperty({ type: String, nullable: true, description: 'Why training failed (e.g. VOICE_LIMIT_REACHED); null otherwise.' })
  failureReason!: string | null;

  @ApiProperty({ type: () => VoiceProfileDto, nullable: true, description: 'The measured profile of a trained voice (voice matching); null before training.' })
  profile!: VoiceProfileDto | null;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;
}

export class VoiceListDto {
  @ApiProperty({ type: () => [VoiceDto], description: 'The stock narrator first, then your voices.' })
  items!: VoiceDto[];

  @ApiProperty({ type: String, nullable: true, description: 'Always null: every voice is on the one page.' })
  nextCursor!: null;
}

export class SegmentDto {
  @ApiProperty({ type: 'integer', minimum: 0 })
  index!: number;

  @ApiProperty()
  text!: string;

  @ApiProperty({ enum: EMOTIONS })
  emotion!: Emotion;

  @ApiProperty({ format: 'uuid' })
  voiceId!: string;

  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'The character speaking, for a quote attributed to one.' })
  characterId!: string | null;

  @ApiProperty({ type: String, format: 'uri', nullable: true, description: 'The segment audio (signed link, fresh on every read); null until synthesised.' })
  audioUrl!: string | null;

  @ApiProperty({ type: Number, nullable: true, description: 'Measured from the audio; null until synthesised.' })
  durationSeconds!: number | null;
}

export class ProgressDto {
  @ApiProperty({ type: 'integer', minimum: 0, description: 'Segments synthesised so far.' })
  done!: number;

  @ApiProperty({ type: 'integer', minimum: 0, description: 'Segments in all.' })
  total!: number;
}

export class NarrationDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ format: 'uuid' })
  storyId!: string;

  @ApiProperty({ enum: NARRATION_STATUSES, description: 'pending → processing → completed or failed (see failureReason).' })
  status!: NarrationStatus;

  @ApiProperty({ type: () => [SegmentDto], description: 'In reading order.' })
  segments!: SegmentDto[];

  @ApiProperty({ format: 'uuid' })
  voiceId!: string;

  @ApiProperty({ type: 'object', additionalProperties: { type: 'string', format: 'uuid' }, description: '`{<characterId>: <voiceId>}`.' })
  characterVoices!: Record<string, string>;

  @ApiProperty({ enum: NARRATOR_PROFILES })
  narratorProfile!: NarratorProfile;

  @ApiProperty({ enum: CONVERSATION_STYLES })
  conversationStyle!: ConversationStyle;

  @ApiProperty({ type: () => ProgressDto })
  progress!: ProgressDto;

  @ApiProperty({
    type: String,
    format: 'uri',
    nullable: true,
    description: 'The whole narration as one file (signed link, fresh on every read); null until completed. GET /narrations/:id/audio redirects to a fresh one.',
  })
  audioUrl!: string | null;

  @ApiProperty({ type: Number, nullable: true, description: 'Of the whole narration; null until completed.' })
  durationSeconds!: number | null;

  @ApiProperty({ type: String, nullable: true, description: 'Why the narration failed, or why the last regeneration of a completed narration failed (REGENERATION_FAILED: ...); null otherwise.' })
  failureReason!: string | null;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt!: string;
}
