import type { ObjectStorage, SignatureCheck } from '@storytelling/platform';

export type { ObjectStorage, SignatureCheck } from '@storytelling/platform';

/**
 * The media object store the gateway shares with the services that own media (narration, and
 * collaboration and video later): uploads go in under `uploads/<uuid>`, `/files/...` reads from
 * it. The platform's ObjectStorage (filesystem or S3, chosen by OBJECT_STORAGE).
 */
export const MEDIA_STORAGE = Symbol('MEDIA_STORAGE');
export type MediaStorage = ObjectStorage;

/**
 * Short-lived signed links to stored objects (API.md § Files): what a resource holding media
 * answers instead of an object key, and what `/files/...` checks before serving.
 */
export interface FileLinks {
  /** An absolute URL (PUBLIC_BASE_URL + `/api/v1/files/<key>?expires=&signature=`), fresh on every call. */
  urlFor(key: string): string;
  /** Checks a link's query values against the key its path names. */
  check(key: string, expires: unknown, signature: unknown): SignatureCheck;
  /** Seconds until a link with this `expires` runs out (0 when past or malformed): its Cache-Control max-age. */
  secondsLeft(expires: unknown): number;
}

export const FILE_LINKS = Symbol('FILE_LINKS');
