import type { ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseRangeHeader } from './byte-range.js';
import { RangeNotSatisfiableError, type ObjectStorage } from './object-storage.js';

export interface ObjectRequest {
  method?: 'GET' | 'HEAD';
  /** The request's Range header, as received. */
  range?: string | null;
  /** e.g. `private, max-age=300` for a link that is valid five more minutes; none by default. */
  cacheControl?: string;
}

export interface ObjectResponse {
  status: 200 | 206 | 416;
  headers: Record<string, string>;
  /** null for HEAD and 416. */
  body: Readable | null;
}

function unsatisfiable(size: number): ObjectResponse {
  return { status: 416, headers: { 'Content-Range': `bytes */${size}`, 'Accept-Ranges': 'bytes' }, body: null };
}

/**
 * The status, headers and body that answer a request for a stored object, with no web framework:
 * 200 for the whole object, 206 for one byte range (players seek with these), 416 for a range
 * past its end. A missing object throws ObjectNotFoundError; checking the signed link is the
 * caller's job (UrlSigner), as is rendering 403/404/416 as problem+json.
 */
export async function respondWithObject(storage: ObjectStorage, key: string, request: ObjectRequest = {}): Promise<ObjectResponse> {
  const head = await storage.head(key);
  const wanted = parseRangeHeader(request.range, head.size);
  if (wanted.kind === 'unsatisfiable') return unsatisfiable(head.size);
  const common: Record<string, string> = {
    'Accept-Ranges': 'bytes',
    // The stored type is the truth; a browser must not guess HTML out of a user's upload.
    'X-Content-Type-Options': 'nosniff',
    ...(head.etag ? { ETag: `"${head.etag}"` } : {}),
    ...(request.cacheControl ? { 'Cache-Control': request.cacheControl } : {}),
  };
  if (request.method === 'HEAD') {
    const length = wanted.kind === 'partial' ? wanted.end - wanted.start + 1 : head.size;
    const range: Record<string, string> = wanted.kind === 'partial' ? { 'Content-Range': `bytes ${wanted.start}-${wanted.end}/${head.size}` } : {};
    return { status: wanted.kind === 'partial' ? 206 : 200, headers: { ...common, 'Content-Type': head.contentType, 'Content-Length': String(length), ...range }, body: null };
  }
  let object;
  try {
    object = await storage.get(key, wanted.kind === 'partial' ? { start: wanted.start, end: wanted.end } : undefined);
  } catch (error) {
    // Replaced by a shorter object between head and get.
    if (error instanceof RangeNotSatisfiableError) return unsatisfiable(error.size);
    throw error;
  }
  const headers = { ...common, 'Content-Type': object.contentType };
  if (!object.range) return { status: 200, headers: { ...headers, 'Content-Length': String(object.size) }, body: object.body };
  const { start, end } = object.range;
  return {
    status: 206,
    headers: { ...headers, 'Content-Length': String(end - start + 1), 'Content-Range': `bytes ${start}-${end}/${object.size}` },
    body: object.body,
  };
}

/** Sends an ObjectResponse on a Node response (Express's res is one). A client that hangs up mid-way is not an error. */
export async function writeObjectResponse(res: ServerResponse, response: ObjectResponse): Promise<void> {
  res.writeHead(response.status, response.headers);
  if (!response.body) {
    res.end();
    return;
  }
  try {
    await pipeline(response.body, res);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ERR_STREAM_PREMATURE_CLOSE') throw error;
  }
}
