import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { PassThrough, type Readable } from 'node:stream';
import busboy, { type Busboy, type FileInfo, type FieldInfo } from 'busboy';
import type { FieldError } from '@storytelling/kernel';
import { assertContentType, currentContext, getLogger, runWithContext, type PutObjectResult } from '@storytelling/platform';
import type { MediaStorage } from '../../../application/media.port.js';
import { EMOTIONS, isEmotion, SAMPLE_TEXT_MAX, type Emotion } from '../../../domain/narrations.js';
import { CONTROL_CHARACTER_MESSAGE, hasControlCharacter } from '../dto/validation.js';
import { ProblemException } from '../problem/problem.js';

const log = getLogger('uploads');

/** A sample's parts, its audio already in the media store. */
export interface ReceivedSample {
  emotion: Emotion;
  text: string;
  /** `uploads/<uuid>`: narration takes it from there (and deletes it). */
  uploadKey: string;
  /** The audio part's Content-Type as the client declared it (narration decides by the content). */
  declaredContentType: string;
  size: number;
}

export interface SampleUploadOptions {
  /** Largest audio part in bytes (413 beyond it, found while streaming). */
  limitBytes: number;
}

/** Injection token of the SampleUploadOptions (SAMPLE_UPLOAD_LIMIT). */
export const SAMPLE_UPLOAD_OPTIONS = Symbol('SAMPLE_UPLOAD_OPTIONS');

/** What an HTTP request is to the parser: a readable body with headers. */
export type UploadRequest = Readable & { headers: IncomingHttpHeaders; complete?: boolean };

/** Bytes of a text part: SAMPLE_TEXT_MAX characters of up to 4 bytes each. */
const FIELD_MAX_BYTES = SAMPLE_TEXT_MAX * 4;
const MULTIPART = /^multipart\/form-data\s*;/i;
const DEFAULT_AUDIO_TYPE = 'application/octet-stream';

function invalid(errors: FieldError[]): ProblemException {
  return ProblemException.of('VALIDATION_FAILED', 'The multipart body is invalid.', {}, errors);
}

function tooLarge(limitBytes: number): ProblemException {
  return ProblemException.of('PAYLOAD_TOO_LARGE', `The audio part is larger than ${limitBytes} bytes.`);
}

/** The part's declared type when it is a plain media type (it becomes a stored header), else octet-stream. */
function declaredType(mimeType: string | undefined): string {
  if (!mimeType) return DEFAULT_AUDIO_TYPE;
  try {
    assertContentType(mimeType);
    return mimeType;
  } catch {
    return DEFAULT_AUDIO_TYPE;
  }
}

interface PendingUpload {
  key: string;
  contentType: string;
  /** Settles when the store has the whole part (or failed); never rejects unhandled. */
  stored: Promise<PutObjectResult | Error>;
}

/**
 * Reads a sample upload (`multipart/form-data` with the parts `emotion`, `text` and `audio`) as a
 * stream: the `audio` part goes straight into the media store under `uploads/<uuid>` as it
 * arrives, never buffered whole. Its size is counted while it streams; past `limitBytes` the
 * store write is aborted, the partial object deleted and 413 PAYLOAD_TOO_LARGE thrown at once
 * (the rest of the body is read and discarded, so the connection stays usable). A missing,
 * repeated or unknown part is 400 VALIDATION_FAILED with field errors, an emotion outside the
 * set 400 UNKNOWN_EMOTION, a body that is not multipart/form-data 415. Whenever this throws,
 * nothing is left in the store; when it answers, the caller owns the upload.
 */
/** Deletes a refused upload; a failure is logged (the key only), never thrown over the real answer. */
export async function discardUpload(storage: MediaStorage, key: string): Promise<void> {
  await storage.delete(key).catch((error: unknown) => log.warn({ key, err: error }, 'could not delete a refused upload'));
}

export async function receiveSampleUpload(req: UploadRequest, storage: MediaStorage, options: SampleUploadOptions): Promise<ReceivedSample> {
  const receiver = new SampleReceiver(req, storage, options);
  try {
    return await receiver.receive();
  } catch (error) {
    await receiver.discard();
    throw error;
  }
}

class SampleReceiver {
  private readonly fields = new Map<string, string>();
  private readonly errors: FieldError[] = [];
  private upload: PendingUpload | undefined;
  private audioParts = 0;
  /** Set when we abort the store write ourselves (too large, client gone): its failure is expected. */
  private aborting = false;

  constructor(
    private readonly req: UploadRequest,
    private readonly storage: MediaStorage,
    private readonly options: SampleUploadOptions,
  ) {}

  async receive(): Promise<ReceivedSample> {
    const parser = this.openParser();
    await this.parse(parser);
    const stored = this.upload ? await this.upload.stored : undefined;
    if (stored instanceof Error) throw ProblemException.of('SERVICE_UNAVAILABLE', 'The media store is unavailable; retry later.', { 'Retry-After': '5' });
    const emotion = this.fields.get('emotion');
    const text = this.fields.get('text');
    const errors = [...this.errors];
    if (emotion === undefined && !errors.some((e) => e.field === 'emotion')) errors.push({ field: 'emotion', message: 'is required' });
    if (text === undefined && !errors.some((e) => e.field === 'text')) errors.push({ field: 'text', message: 'is required' });
    else if (text !== undefined && text.trim() === '') errors.push({ field: 'text', message: 'must not be empty' });
    if (this.audioParts === 0 && !errors.some((e) => e.field === 'audio')) errors.push({ field: 'audio', message: 'is required (a file part)' });
    if (stored && stored.size === 0) errors.push({ field: 'audio', message: 'must not be empty' });
    const emotionProblem = emotion !== undefined && !isEmotion(emotion) ? { field: 'emotion', message: `must be one of ${EMOTIONS.join(', ')}` } : undefined;
    if (errors.length > 0) throw invalid(emotionProblem ? [...errors, emotionProblem] : errors);
    if (emotionProblem) throw ProblemException.of('UNKNOWN_EMOTION', `"${emotion}" is not an emotion of the set.`, {}, [emotionProblem]);
    return {
      emotion: emotion as Emotion,
      text: text!,
      uploadKey: this.upload!.key,
      declaredContentType: this.upload!.contentType,
      size: stored!.size,
    };
  }

  /** Deletes the upload, once its write has settled (an aborted write may still be cleaning up). */
  async discard(): Promise<void> {
    const upload = this.upload;
    if (!upload) return;
    this.upload = undefined;
    await upload.stored;
    await discardUpload(this.storage, upload.key);
  }

  private openParser(): Busboy {
    const contentType = this.req.headers['content-type'];
    if (typeof contentType !== 'string' || !MULTIPART.test(contentType)) {
      throw ProblemException.of('UNSUPPORTED_MEDIA_TYPE', 'Send the sample as multipart/form-data with the parts emotion, text and audio.');
    }
    try {
      return busboy({
        headers: this.req.headers,
        defParamCharset: 'utf8',
        // busboy reports "limit" when a part reaches fileSize: one byte more than allowed.
        limits: { fileSize: this.options.limitBytes + 1, files: 1, fields: 4, parts: 6, fieldSize: FIELD_MAX_BYTES, fieldNameSize: 100, headerPairs: 20 },
      });
    } catch {
      throw invalid([{ field: '', message: 'is not a multipart/form-data body with a boundary' }]);
    }
  }

  /** Resolves once the whole body is read; rejects at once when the audio is too large or the body is broken. */
  private parse(parser: Busboy): Promise<void> {
    const context = currentContext();
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      const settle = (error?: Error): void => {
        if (settled) return;
        settled = true;
        // Stream events fire outside the request's async context: re-enter it for what follows.
        const go = (): void => (error ? reject(error) : resolve());
        if (context) runWithContext(context, go);
        else go();
      };

      parser.on('field', (name: string, value: string, info: FieldInfo) => this.onField(name, value, info));
      parser.on('file', (name: string, stream: Readable, info: FileInfo) => this.onFile(name, stream, info, settle));
      parser.on('filesLimit', () => this.errors.push({ field: 'audio', message: 'must be the only file part' }));
      parser.on('fieldsLimit', () => this.errors.push({ field: '', message: 'has too many parts (emotion, text and audio only)' }));
      parser.on('partsLimit', () => this.errors.push({ field: '', message: 'has too many parts (emotion, text and audio only)' }));
      parser.on('error', () => settle(invalid([{ field: '', message: 'is not a well-formed multipart/form-data body' }])));
      parser.on('close', () => settle());
      // A client that hangs up mid-body: stop the store write (busboy destroys the open part).
      this.req.on('close', () => {
        if (this.req.complete === false) {
          this.aborting = true;
          parser.destroy(new Error('the client closed the request before its end'));
          settle(invalid([{ field: '', message: 'was cut off before its end' }]));
        }
      });
      this.req.pipe(parser);
    });
  }

  private onField(name: string, value: string, info: FieldInfo): void {
    if (name === 'audio') {
      this.errors.push({ field: 'audio', message: 'must be a file part' });
    } else if (name !== 'emotion' && name !== 'text') {
      this.errors.push({ field: name, message: 'is not an allowed field' });
    } else if (this.fields.has(name)) {
      this.errors.push({ field: name, message: 'must be given once' });
    } else if (info.valueTruncated || (name === 'text' && [...value].length > SAMPLE_TEXT_MAX)) {
      this.errors.push({ field: name, message: `must be at most ${name === 'text' ? SAMPLE_TEXT_MAX : 100} characters` });
    } else if (name === 'emotion' && value.length > 100) {
      this.errors.push({ field: name, message: 'must be at most 100 characters' });
    } else if (hasControlCharacter(value, name === 'text')) {
      // The gateway's one rule for accepted strings; the sample's text may span lines.
      this.errors.push({ field: name, message: CONTROL_CHARACTER_MESSAGE });
    } else {
      this.fields.set(name, value);
    }
  }

  private onFile(name: string, stream: Readable, info: FileInfo, settle: (error?: Error) => void): void {
    if (name !== 'audio') {
      this.errors.push({ field: name, message: name === 'emotion' || name === 'text' ? 'must be a text part, not a file' : 'is not an allowed field' });
      stream.resume();
      return;
    }
    this.audioParts += 1;
    const emotion = this.fields.get('emotion');
    // Already refused (an unknown part, an emotion outside the set): nothing worth storing.
    if (this.audioParts > 1 || this.errors.length > 0 || (emotion !== undefined && !isEmotion(emotion))) {
      if (this.audioParts > 1) this.errors.push({ field: 'audio', message: 'must be given once' });
      stream.resume();
      return;
    }
    const key = `uploads/${randomUUID()}`;
    const contentType = declaredType(info.mimeType);
    const body = new PassThrough();
    const limit = this.options.limitBytes;
    stream.on('limit', () => {
      this.aborting = true;
      const error = tooLarge(limit);
      body.destroy(error);
      stream.resume(); // busboy skips the rest of the part; nothing may wait on us
      settle(error);
    });
    stream.on('error', (error: Error) => body.destroy(error));
    stream.pipe(body);
    const stored = this.storage.put(key, body, { contentType }).catch((error: unknown) => {
      const failure = error instanceof Error ? error : new Error(String(error));
      if (!this.aborting) {
        // The store failed on its own: keep reading the body (nothing may wait on us), answer at once.
        log.warn({ key, err: failure }, 'the media store refused an upload');
        stream.unpipe(body);
        stream.resume();
        settle(ProblemException.of('SERVICE_UNAVAILABLE', 'The media store is unavailable; retry later.', { 'Retry-After': '5' }));
      }
      return failure;
    });
    this.upload = { key, contentType, stored };
  }
}
