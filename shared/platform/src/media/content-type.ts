import { extname } from 'node:path';

// A stored content type is echoed as a response header when the object is served, so it must
// be a plain media type (with optional parameters) and never carry CR/LF or other controls.
const MEDIA_TYPE = /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*(\s*;\s*[A-Za-z0-9!#$&^_.+-]+=("[^"\\\x00-\x1f\x7f]*"|[A-Za-z0-9!#$&^_.+-]+))*$/;

export const DEFAULT_CONTENT_TYPE = 'application/octet-stream';

export class InvalidContentTypeError extends Error {
  constructor(contentType: string) {
    super(`invalid content type ${JSON.stringify(contentType.slice(0, 100))}`);
    this.name = 'InvalidContentTypeError';
  }
}

export function assertContentType(contentType: string): void {
  if (typeof contentType !== 'string' || contentType.length > 200 || !MEDIA_TYPE.test(contentType)) {
    throw new InvalidContentTypeError(String(contentType));
  }
}

const BY_EXTENSION: Record<string, string> = {
  '.wav': 'audio/wav',
  '.mp3': 'audio/mpeg',
  '.ogg': 'audio/ogg',
  '.oga': 'audio/ogg',
  '.opus': 'audio/ogg',
  '.webm': 'audio/webm',
  '.m4a': 'audio/mp4',
  '.mp4': 'video/mp4',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.png': 'image/png',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
};

/** The content type a key's extension suggests; the fallback when none was stored. */
export function contentTypeForKey(key: string): string {
  return BY_EXTENSION[extname(key).toLowerCase()] ?? DEFAULT_CONTENT_TYPE;
}
