import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { VoiceCloningError } from '../../application/ports/index.js';

export interface ElevenLabsOptions {
  apiKey: string;
  /** https://api.elevenlabs.io, or a local server that speaks its API (tests). */
  baseUrl: string;
  /** The text-to-speech model, e.g. eleven_multilingual_v2. */
  modelId: string;
  /** Per request. */
  timeoutMs: number;
}

/** voice_settings of a text-to-speech request. */
export interface ElevenLabsVoiceSettings {
  stability: number;
  similarityBoost: number;
  style: number;
  /** 0.7..1.2. */
  speed: number;
}

export interface ElevenLabsFile {
  path: string;
  contentType: string;
}

/** An error body as ElevenLabs writes it: `{"detail": {"status": "voice_limit_reached", "message": "..."}}`. */
interface ErrorBody {
  detail?: { status?: unknown; message?: unknown } | string;
}

/**
 * The part of the ElevenLabs HTTP API narration uses: instant voice cloning (POST /v1/voices/add,
 * multipart `name` + `files`), text-to-speech (POST /v1/text-to-speech/{voice_id}, MP3 back) and
 * deleting a voice (DELETE /v1/voices/{voice_id}); every request carries `xi-api-key`. Errors
 * become VoiceCloningError: the account's voice limit is VOICE_LIMIT_REACHED (not retryable), a
 * refused key PROVIDER_UNAUTHORIZED, 429/5xx/network PROVIDER_UNAVAILABLE (retryable). The key
 * never reaches a log or an error message.
 */
export class ElevenLabsClient {
  private readonly base: string;

  constructor(private readonly options: ElevenLabsOptions) {
    this.base = options.baseUrl.replace(/\/+$/, '');
  }

  /** @returns the new voice's id */
  async addVoice(name: string, files: readonly ElevenLabsFile[]): Promise<string> {
    const form = new FormData();
    form.append('name', name);
    for (const file of files) form.append('files', new Blob([await readFile(file.path)], { type: file.contentType }), basename(file.path));
    const response = await this.request('POST', '/v1/voices/add', { body: form });
    const body = (await response.json()) as { voice_id?: unknown };
    if (typeof body.voice_id !== 'string' || body.voice_id.length === 0) throw new VoiceCloningError('PROVIDER_BAD_ANSWER', 'ElevenLabs answered without a voice_id', true);
    return body.voice_id;
  }

  /** MP3 of `text` spoken by the voice. */
  async textToSpeech(voiceId: string, text: string, settings: ElevenLabsVoiceSettings): Promise<Buffer> {
    const response = await this.request('POST', `/v1/text-to-speech/${encodeURIComponent(voiceId)}?output_format=mp3_44100_128`, {
      json: {
        text,
        model_id: this.options.modelId,
        voice_settings: { stability: settings.stability, similarity_boost: settings.similarityBoost, style: settings.style, speed: settings.speed },
      },
      accept: 'audio/mpeg',
    });
    const audio = Buffer.from(await response.arrayBuffer());
    if (audio.length === 0) throw new VoiceCloningError('PROVIDER_BAD_ANSWER', 'ElevenLabs answered with no audio', true);
    return audio;
  }

  /** A voice already gone (404) is not an error. */
  async deleteVoice(voiceId: string): Promise<void> {
    await this.request('DELETE', `/v1/voices/${encodeURIComponent(voiceId)}`, { notFoundIsOk: true });
  }

  private async request(
    method: string,
    path: string,
    options: { body?: FormData; json?: unknown; accept?: string; notFoundIsOk?: boolean },
  ): Promise<Response> {
    const headers: Record<string, string> = { 'xi-api-key': this.options.apiKey, accept: options.accept ?? 'application/json' };
    let body: FormData | string | undefined = options.body;
    if (options.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.json);
    }
    let response: Response;
    try {
      response = await fetch(`${this.base}${path}`, { method, headers, ...(body === undefined ? {} : { body }), signal: AbortSignal.timeout(this.options.timeoutMs) });
    } catch (err) {
      const reason = err instanceof Error && err.name === 'TimeoutError' ? `no answer within ${this.options.timeoutMs} ms` : 'unreachable';
      throw new VoiceCloningError('PROVIDER_UNAVAILABLE', `ElevenLabs ${method} ${path.split('?')[0]}: ${reason}`, true);
    }
    if (response.ok || (options.notFoundIsOk && response.status === 404)) return response;
    throw await failure(response, `${method} ${path.split('?')[0]}`);
  }
}

async function failure(response: Response, what: string): Promise<VoiceCloningError> {
  let status = '';
  let message = '';
  try {
    const body = (await response.json()) as ErrorBody;
    if (typeof body.detail === 'string') message = body.detail;
    else if (body.detail) {
      status = typeof body.detail.status === 'string' ? body.detail.status : '';
      message = typeof body.detail.message === 'string' ? body.detail.message : '';
    }
  } catch {
    // not JSON: the status code says enough
  }
  const detail = `ElevenLabs ${what} answered ${response.status}${status ? ` ${status}` : ''}${message ? `: ${message.slice(0, 300)}` : ''}`;
  if (status === 'voice_limit_reached') return new VoiceCloningError('VOICE_LIMIT_REACHED', detail, false);
  if (status === 'quota_exceeded') return new VoiceCloningError('PROVIDER_QUOTA_EXCEEDED', detail, false);
  if (response.status === 401 || response.status === 403) return new VoiceCloningError('PROVIDER_UNAUTHORIZED', detail, false);
  if (response.status === 429 || response.status >= 500) return new VoiceCloningError('PROVIDER_UNAVAILABLE', detail, true);
  return new VoiceCloningError('PROVIDER_REFUSED', detail, false);
}
