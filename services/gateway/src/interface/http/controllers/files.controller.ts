import { Readable } from 'node:stream';
import { Controller, Get, Inject, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiProduces, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ObjectNotFoundError, respondWithObject } from '@storytelling/platform';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { FILE_LINKS, type FileLinks, MEDIA_STORAGE, type MediaStorage, type SignatureCheck } from '../../../application/media.port.js';
import { FILES_BASE_PATH } from '../api-prefix.js';
import { Public } from '../guards/decorators.js';
import { RateLimit } from '../guards/rate-limit.guard.js';
import { ApiProblems } from '../openapi/api-problems.decorator.js';
import { ProblemException } from '../problem/problem.js';

const REFUSED: Record<Exclude<SignatureCheck, 'ok'>, ProblemException> = {
  missing: ProblemException.of('FILE_SIGNATURE_MISSING', 'This file link carries no signature; ask the resource for a fresh link.'),
  tampered: ProblemException.of('FILE_SIGNATURE_INVALID', 'This file link is not one the API signed.'),
  expired: ProblemException.of('FILE_LINK_EXPIRED', 'This file link has expired; read the resource again for a fresh one.'),
};

/**
 * The object key a `/files/...` path names: the path below the files route, each segment
 * percent-decoded (sign() encodes them). Null when the path cannot be decoded.
 */
export function objectKeyOf(path: string): string | null {
  const prefix = `${FILES_BASE_PATH}/`;
  if (path.length <= prefix.length || path.slice(0, prefix.length).toLowerCase() !== prefix) return null;
  try {
    return path
      .slice(prefix.length)
      .split('/')
      .map((segment) => decodeURIComponent(segment))
      .join('/');
  } catch {
    return null;
  }
}

/**
 * GET /files/... (API.md § Files): media by short-lived signed link, with no bearer token. The
 * signature (HMAC over the key and the expiry) is the whole authorisation: a missing, altered
 * or expired one is 403 problem+json. The object is streamed from the media store with its real
 * Content-Type; one byte range answers 206 (players seek with these), a range past the end 416.
 */
@ApiTags('files')
@Public()
@RateLimit('default')
@Controller('files')
export class FilesController {
  constructor(
    @Inject(MEDIA_STORAGE) private readonly storage: MediaStorage,
    @Inject(FILE_LINKS) private readonly links: FileLinks,
  ) {}

  @Get('*key')
  @ApiOperation({
    summary: 'A stored media file, by signed link',
    description:
      'Public: the link is the authorisation. Links come from the resources that hold media (samples, segments, narrations) and last 15 minutes. ' +
      'Answers the real Content-Type (audio/*, video/mp4, image/*), `Accept-Ranges: bytes`, and 206 with Content-Range for one `Range`.',
  })
  @ApiParam({ name: 'key', description: 'The object key the link names (as the resource gave it).', schema: { type: 'string' } })
  @ApiQuery({ name: 'expires', description: 'Expiry (epoch seconds), as signed.', schema: { type: 'string' } })
  @ApiQuery({ name: 'signature', description: 'HMAC-SHA256 of the key and expiry (base64url).', schema: { type: 'string' } })
  @ApiProduces('audio/ogg', 'audio/mpeg', 'audio/wav', 'audio/webm', 'video/mp4', 'image/jpeg', 'image/png', 'application/octet-stream')
  @ApiResponse({ status: 200, description: 'The whole file', content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } } })
  @ApiResponse({
    status: 206,
    description: 'One byte range',
    headers: { 'Content-Range': { description: '`bytes <first>-<last>/<size>`', schema: { type: 'string' } } },
    content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } },
  })
  @ApiProblems(403, 404, 416)
  async serve(@Req() req: FastifyRequest, @Res() res: FastifyReply): Promise<void> {
    const key = objectKeyOf((req.raw.url ?? '').split('?')[0]!);
    const query = req.query as Record<string, unknown>;
    const check = key === null ? 'tampered' : this.links.check(key, query.expires, query.signature);
    if (check !== 'ok') throw REFUSED[check];
    let response;
    try {
      response = await respondWithObject(this.storage, key!, {
        method: req.method === 'HEAD' ? 'HEAD' : 'GET',
        range: req.headers.range ?? null,
        // The bytes behind a key never change (a new version gets a new key), and the link lasts this long.
        cacheControl: `private, max-age=${this.links.secondsLeft(query.expires)}, immutable`,
      });
    } catch (error) {
      if (error instanceof ObjectNotFoundError) throw ProblemException.of('FILE_NOT_FOUND', 'The file this link names no longer exists.');
      throw error;
    }
    if (response.status === 416) {
      throw ProblemException.of('RANGE_NOT_SATISFIABLE', 'The requested range starts past the end of the file.', response.headers);
    }
    // Sent through the reply (not its Node response) so the reply's headers are kept; a stream
    // gets no ETag and no 304 (send-semantics.ts), as with express. HEAD gets an empty stream:
    // Fastify would reset the Content-Length of an empty body to 0.
    res.code(response.status).headers(response.headers).send(response.body ?? Readable.from([]));
  }
}
