import { VERSION_MAX } from '../../domain/stories.js';
import { ProblemException } from './problem/problem.js';
import { validationFailed } from './pipes/validation.pipe.js';

/** The ETag of a versioned resource: its version as a strong entity tag, `"3"`. */
export function etagOf(version: number): string {
  return `"${version}"`;
}

const ENTITY_TAG = /^"([1-9][0-9]{0,9})"$|^([1-9][0-9]{0,9})$/;

/**
 * The version an `If-Match` header names. API.md: updates take `If-Match: <version>`; the ETag
 * the API answers is `"<version>"`, so both `"3"` and `3` are accepted. One strong tag only: a
 * weak tag (`W/"3"`), `*` or a list cannot guard an update (400). Missing: 428
 * PRECONDITION_REQUIRED when `required`, else undefined.
 */
export function expectedVersion(header: string | string[] | undefined, required: boolean): number | undefined {
  const raw = Array.isArray(header) ? header.join(', ') : header;
  if (raw === undefined || raw.trim() === '') {
    if (!required) return undefined;
    throw ProblemException.of('PRECONDITION_REQUIRED', 'This update needs an If-Match header with the version you last read (the ETag, e.g. "3").');
  }
  const m = ENTITY_TAG.exec(raw.trim());
  const version = m ? Number(m[1] ?? m[2]) : NaN;
  if (!Number.isSafeInteger(version) || version < 1 || version > VERSION_MAX) {
    throw validationFailed('If-Match header', [{ field: 'If-Match', message: 'must be one entity tag as given in ETag, e.g. "3"' }]);
  }
  return version;
}
