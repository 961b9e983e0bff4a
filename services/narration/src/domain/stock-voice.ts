import { Voice } from './voice.js';

/** The platform's stock narrator voice: usable by everyone, always ready, no samples. */
export const STOCK_VOICE_ID = '00000000-0000-7000-8000-000000000001';
export const STOCK_VOICE_OWNER = 'stock';
export const STOCK_VOICE_NAME = 'Storyteller';

const STOCK_CREATED_AT = new Date('2026-01-01T00:00:00.000Z');

export function isStockVoiceId(voiceId: string): boolean {
  return voiceId === STOCK_VOICE_ID;
}

/** The stock voice as an aggregate (never stored: every read builds it; it records no events). */
export function stockVoice(): Voice {
  return Voice.rehydrate({
    id: STOCK_VOICE_ID,
    ownerId: STOCK_VOICE_OWNER,
    name: STOCK_VOICE_NAME,
    provider: 'stock',
    providerVoiceId: null,
    trainingStatus: 'ready',
    failureReason: null,
    profile: null,
    samples: [],
    trainedAt: STOCK_CREATED_AT,
    createdAt: STOCK_CREATED_AT,
    updatedAt: STOCK_CREATED_AT,
    version: 0,
  });
}
