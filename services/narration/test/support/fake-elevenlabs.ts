// A local HTTP server that speaks the part of the ElevenLabs API narration uses, so the cloning
// adapter is tested over real HTTP and real multipart without the real service:
//   POST   /v1/voices/add               multipart: name + files (instant voice cloning) → {voice_id}
//   POST   /v1/text-to-speech/{voice_id} JSON {text, model_id, voice_settings} → audio/mpeg (real MP3)
//   DELETE /v1/voices/{voice_id}        → {status: "ok"}; unknown → 404 voice_not_found
// Every request needs `xi-api-key`; errors are ElevenLabs' shape {"detail": {"status", "message"}}.
import { randomBytes } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { EspeakSynthesiser, runTool } from '@storytelling/platform';
import { tools, voiceScratch } from './voice-audio.js';

export interface FakeVoice {
  voiceId: string;
  name: string;
  files: Array<{ name: string; type: string; size: number }>;
}

export interface TextToSpeechCall {
  voiceId: string;
  text: string;
  modelId: string;
  voiceSettings: Record<string, unknown>;
  accept: string | undefined;
}

export class FakeElevenLabs {
  readonly apiKey = `sk_test_${randomBytes(8).toString('hex')}`;
  readonly voices = new Map<string, FakeVoice>();
  readonly speeches: TextToSpeechCall[] = [];
  readonly deleted: string[] = [];
  /** The account's custom voice limit (ElevenLabs' plans have 10, 30, ...). */
  voiceLimit = 10;
  /** Answers the next requests with this status (e.g. 503), then serves normally again. */
  private failures: number[] = [];
  private server: Server | undefined;
  private readonly scratch = voiceScratch('fake-elevenlabs');

  get baseUrl(): string {
    const address = this.server?.address() as AddressInfo | null;
    if (!address) throw new Error('FakeElevenLabs not started');
    return `http://127.0.0.1:${address.port}`;
  }

  failNext(status: number, times = 1): void {
    for (let i = 0; i < times; i++) this.failures.push(status);
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => send(res, 500, { detail: { status: 'internal', message: String(err) } }));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return this;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.scratch.cleanup();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    if (req.headers['xi-api-key'] !== this.apiKey) return send(res, 401, { detail: { status: 'invalid_api_key', message: 'Invalid API key' } });
    const failure = this.failures.shift();
    if (failure !== undefined) return send(res, failure, { detail: { status: 'service_unavailable', message: 'try again later' } });
    const url = new URL(req.url ?? '/', 'http://fake');
    const tts = /^\/v1\/text-to-speech\/([^/]+)$/.exec(url.pathname);
    const voice = /^\/v1\/voices\/([^/]+)$/.exec(url.pathname);
    if (req.method === 'POST' && url.pathname === '/v1/voices/add') return this.addVoice(req, body, res);
    if (req.method === 'POST' && tts) return this.textToSpeech(decodeURIComponent(tts[1]!), req, body, res);
    if (req.method === 'DELETE' && voice) return this.deleteVoice(decodeURIComponent(voice[1]!), res);
    return send(res, 404, { detail: { status: 'not_found', message: `${req.method} ${url.pathname}` } });
  }

  private async addVoice(req: IncomingMessage, body: Buffer, res: ServerResponse): Promise<void> {
    const form = await new Request('http://fake/v1/voices/add', { method: 'POST', headers: { 'content-type': req.headers['content-type'] ?? '' }, body }).formData();
    const name = form.get('name');
    const files = form.getAll('files').flatMap((f) => (typeof f === 'string' ? [] : [f]));
    if (typeof name !== 'string' || name.length === 0 || files.length === 0) {
      return send(res, 422, { detail: [{ loc: ['body', name ? 'files' : 'name'], msg: 'field required', type: 'value_error.missing' }] });
    }
    if (this.voices.size >= this.voiceLimit) {
      return send(res, 400, {
        detail: {
          status: 'voice_limit_reached',
          message: `You have reached your maximum amount of custom voices (${this.voices.size} / ${this.voiceLimit}). You can upgrade your subscription to increase your custom voice limit.`,
        },
      });
    }
    const voiceId = randomBytes(10).toString('hex');
    this.voices.set(voiceId, { voiceId, name, files: files.map((f) => ({ name: f.name, type: f.type, size: f.size })) });
    send(res, 200, { voice_id: voiceId, requires_verification: false });
  }

  private async textToSpeech(voiceId: string, req: IncomingMessage, body: Buffer, res: ServerResponse): Promise<void> {
    if (!this.voices.has(voiceId)) return send(res, 404, { detail: { status: 'voice_not_found', message: `A voice with voice_id ${voiceId} was not found.` } });
    const request = JSON.parse(body.toString('utf8')) as { text?: string; model_id?: string; voice_settings?: Record<string, unknown> };
    if (!request.text) return send(res, 422, { detail: [{ loc: ['body', 'text'], msg: 'field required' }] });
    this.speeches.push({ voiceId, text: request.text, modelId: request.model_id ?? '', voiceSettings: request.voice_settings ?? {}, accept: req.headers.accept });
    // Real speech of the text (espeak-ng, fast), as MP3 the way ElevenLabs answers.
    const id = randomBytes(6).toString('hex');
    const wav = join(this.scratch.dir, `${id}.wav`);
    const mp3 = join(this.scratch.dir, `${id}.mp3`);
    await new EspeakSynthesiser({ espeakNg: tools.espeakNg }).synthesise(request.text, wav);
    await runTool(tools.ffmpeg, ['-v', 'error', '-i', wav, '-ar', '44100', '-c:a', 'libmp3lame', '-b:a', '128k', '-y', mp3]);
    const audio = await readFile(mp3);
    await Promise.all([rm(wav, { force: true }), rm(mp3, { force: true })]);
    res.writeHead(200, { 'content-type': 'audio/mpeg', 'content-length': audio.length });
    res.end(audio);
  }

  private deleteVoice(voiceId: string, res: ServerResponse): void {
    if (!this.voices.delete(voiceId)) return send(res, 404, { detail: { status: 'voice_not_found', message: `A voice with voice_id ${voiceId} was not found.` } });
    this.deleted.push(voiceId);
    send(res, 200, { status: 'ok' });
  }
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
