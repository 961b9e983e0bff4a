import { platformMigrations } from '@storytelling/platform';
import { StorySchema1764000000000 } from './1764000000000-story-schema.js';

/** story's migrations, in order: the platform's tables (outbox, inbox) first. */
export const storyMigrations = [...platformMigrations, StorySchema1764000000000];
