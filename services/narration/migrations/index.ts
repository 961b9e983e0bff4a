import { platformMigrations, sagaMigrations } from '@storytelling/platform';
import { NarrationSchema1796653298396 } from './1796653298396-narration-schema.js';
import { NarrationVoices1796653300000 } from './1796653300000-narration-voices.js';
import { NarrationNarrations1796653301000 } from './1796653301000-narration-narrations.js';

/**
 * narration's migrations, in order: the platform's tables (outbox, inbox, idempotency keys) first,
 * then its own. A service that runs sagas adds `...sagaMigrations` after the platform's.
 */
export const narrationMigrations = [
  ...platformMigrations,
  ...sagaMigrations,
  NarrationSchema1796653298396,
  NarrationVoices1796653300000,
  NarrationNarrations1796653301000,
];
