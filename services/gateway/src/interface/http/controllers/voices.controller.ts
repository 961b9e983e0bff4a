import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post, Query, Req, Res } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiBody,
  ApiConsumes,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { FILE_LINKS, type FileLinks, MEDIA_STORAGE, type MediaStorage } from '../../../application/media.port.js';
import { NARRATION_PORT, type NarrationPort } from '../../../application/narration.port.js';
import { API_BASE_PATH } from '../api-prefix.js';
import { NoBody, NoQuery } from '../dto/common.dto.js';
import { AddSampleForm, CreateVoiceBody, SampleDto, SampleParams, VoiceDto, VoiceIdParams, VoiceListDto } from '../dto/narration.dto.js';
import { RateLimit } from '../guards/rate-limit.guard.js';
import { ApiProblems } from '../openapi/api-problems.decorator.js';
import { LOCATION } from '../openapi/location-header.js';
import { ApiIdempotencyKey } from '../openapi/idempotency-key.decorator.js';
import { NarrationPresenter } from '../presenters/narration.presenter.js';
import { discardUpload, receiveSampleUpload, SAMPLE_UPLOAD_OPTIONS, type SampleUploadOptions } from '../uploads/sample-upload.js';

const voicePath = (id: string): string => `${API_BASE_PATH}/voices/${id}`;

/**
 * /voices (API.md § Narration): the caller's narrator voices and their samples. The narration
 * service decides ownership (another user's voice answers 404 VOICE_NOT_FOUND, like an absent
 * one), checks audio by its content and runs training; the gateway streams uploads into the
 * media store and signs every audio URL it answers.
 */
@ApiTags('narration')
@ApiBearerAuth()
@RateLimit('default')
@Controller('voices')
export class VoicesController {
  private readonly present: NarrationPresenter;

  constructor(
    @Inject(NARRATION_PORT) private readonly narration: NarrationPort,
    @Inject(MEDIA_STORAGE) private readonly storage: MediaStorage,
    @Inject(SAMPLE_UPLOAD_OPTIONS) private readonly uploads: SampleUploadOptions,
    @Inject(FILE_LINKS) links: FileLinks,
  ) {
    this.present = new NarrationPresenter(links);
  }

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Create a voice', description: 'Owned by the caller; it starts `collecting` samples.' })
  @ApiIdempotencyKey()
  @ApiCreatedResponse({ description: 'The new voice, without samples', type: VoiceDto, headers: LOCATION('The new voice') })
  @ApiProblems(400, 401, 409, 413, 415)
  async create(@Body() body: CreateVoiceBody, @Query() _query: NoQuery, @Res({ passthrough: true }) res: FastifyReply): Promise<VoiceDto> {
    const voice = await this.narration.createVoice(body.name.trim());
    res.header('Location', voicePath(voice.id));
    return this.present.voice(voice);
  }

  @Get()
  @ApiOperation({ summary: 'Your voices', description: 'The stock narrator first (always ready), then your voices, with their samples.' })
  @ApiOkResponse({ description: 'Every voice you can narrate with', type: VoiceListDto })
  @ApiProblems(400, 401)
  async list(@Query() _query: NoQuery, @Res({ passthrough: true }) res: FastifyReply): Promise<VoiceListDto> {
    const voices = await this.narration.listVoices();
    res.header('Cache-Control', 'no-store');
    return { items: voices.map((v) => this.present.voice(v)), nextCursor: null };
  }

  @Get(':id')
  @ApiOperation({ summary: 'One voice with its samples', description: 'Yours, or the stock narrator. Audio URLs are signed afresh on every read.' })
  @ApiOkResponse({ description: 'The voice', type: VoiceDto })
  @ApiProblems(400, 401, 404)
  async get(@Param() params: VoiceIdParams, @Query() _query: NoQuery, @Res({ passthrough: true }) res: FastifyReply): Promise<VoiceDto> {
    const voice = await this.narration.getVoice(params.id);
    // The signed links inside expire: a cached copy would hand out dead ones.
    res.header('Cache-Control', 'no-store');
    return this.present.voice(voice);
  }

  @Post(':id/samples')
  @HttpCode(201)
  @ApiOperation({
    summary: 'Record a sample',
    description:
      'multipart/form-data with the parts `emotion`, `text` and `audio` (wav, mp3, ogg or webm; 1–60 s; at most 10 MB, 413 beyond). ' +
      'The audio is checked by its content: not audio, too short, too long or silent is 400 (AUDIO_NOT_AUDIO, AUDIO_TOO_SHORT, ' +
      'AUDIO_TOO_LONG, AUDIO_SILENT); an emotion outside the set is 400 UNKNOWN_EMOTION. The stored sample is normalised (loudness, mono, sample rate).',
  })
  @ApiConsumes('multipart/form-data')
  @ApiBody({ type: AddSampleForm })
  @ApiIdempotencyKey()
  @ApiCreatedResponse({ description: 'The recorded sample', type: SampleDto })
  @ApiProblems(400, 401, 404, 409, 413, 415)
  async addSample(@Param() params: VoiceIdParams, @Query() _query: NoQuery, @Req() req: FastifyRequest): Promise<SampleDto> {
    const upload = await receiveSampleUpload(req.raw, this.storage, this.uploads);
    try {
      const sample = await this.narration.addSample({
        voiceId: params.id,
        emotion: upload.emotion,
        text: upload.text,
        uploadKey: upload.uploadKey,
        declaredContentType: upload.declaredContentType,
      });
      return this.present.sample(sample);
    } catch (error) {
      // Narration takes the upload over only when it accepts it (and then deletes it itself).
      await discardUpload(this.storage, upload.uploadKey);
      throw error;
    }
  }

  @Delete(':id/samples/:sampleId')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a sample', description: 'Not one a trained voice uses: 409 SAMPLE_LOCKED.' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiProblems(400, 401, 404, 409)
  async deleteSample(@Param() params: SampleParams, @Query() _query: NoQuery): Promise<void> {
    await this.narration.deleteSample(params.id, params.sampleId);
  }

  @Post(':id/train')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Train the voice (voice matching)',
    description:
      'Needs samples of at least 5 distinct emotions (422 NOT_ENOUGH_EMOTIONS) and a tier with voice cloning (422 VOICE_CLONING_NOT_IN_TIER). ' +
      'Answers at once with `trainingStatus: training`; poll GET /voices/:id until `ready` (samples locked) or `failed` (failureReason).',
  })
  @ApiBody({ required: false, description: 'No body.', schema: { type: 'object', additionalProperties: false, maxProperties: 0 } })
  @ApiAcceptedResponse({ description: 'The voice, training', type: VoiceDto, headers: LOCATION('Where to poll the voice') })
  @ApiProblems(400, 401, 404, 409, 422)
  async train(@Param() params: VoiceIdParams, @Body() _body: NoBody, @Query() _query: NoQuery, @Res({ passthrough: true }) res: FastifyReply): Promise<VoiceDto> {
    const voice = await this.narration.trainVoice(params.id);
    res.header('Location', voicePath(voice.id));
    return this.present.voice(voice);
  }
}
