import { platformMigrations } from '@storytelling/platform';
import { NarrationSchema1796653298396 } from './1796653298396-narration-schema.js';

/**
 * narration's migrations, in order: the platform's tables (outbox, inbox, idempotency keys) first,
 * then its own. A service that runs sagas adds `...sagaMigrations` after the platform's.
 */
export const narrationMigrations = [...platformMigrations, NarrationSchema1796653298396];
