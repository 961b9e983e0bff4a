import type { IncomingMessage } from 'node:http';
import { pathBelowApi, type RawMiddleware } from './raw-middleware.js';

/** POST /voices/:id/samples, below the API prefix (matched like express routes). */
export const SAMPLE_UPLOAD_PATH = /^\/voices\/[^/]+\/samples\/?$/i;

export function isStreamedUpload(req: IncomingMessage): boolean {
  return req.method === 'POST' && SAMPLE_UPLOAD_PATH.test(pathBelowApi(req.url) ?? '');
}

/**
 * Multipart uploads are read by their route as a stream (uploads/sample-upload.ts), after the
 * caller is authenticated and rate-limited, and never buffered: their body is left untouched
 * here. Every other request goes to `otherwise` (the webhook and JSON body middleware).
 */
export function streamedUploadMiddleware(otherwise: RawMiddleware): RawMiddleware {
  return (req, res, next): void => {
    if (isStreamedUpload(req)) next();
    else otherwise(req, res, next);
  };
}
