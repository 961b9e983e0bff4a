import { eventType } from '@storytelling/kernel';

/**
 * The narration context's integration events (proto/storytelling/narration/v1/events.proto): the
 * CloudEvents type of each is built here, never written by hand; the topic follows from it
 * (`narration.<aggregate>.events`). `data` is the proto3 JSON mapping of the proto message.
 */
export const NarrationEventTypes = {
  NarrationRequested: eventType('narration', 'narration', 'requested'),
  NarrationGenerated: eventType('narration', 'narration', 'generated'),
  NarrationFailed: eventType('narration', 'narration', 'failed'),
  NarrationRegenerated: eventType('narration', 'narration', 'regenerated'),
  NarrationDiscarded: eventType('narration', 'narration', 'discarded'),
} as const;
