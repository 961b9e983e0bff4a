/**
 * The narration context's published vocabulary (DOMAIN.md § Narration, narration_service.proto).
 * The narration service owns these; the gateway validates inputs against them and documents them.
 * Emotions are the set shared with analysis (stories.ts).
 */
import { isOneOf } from './stories.js';

export { EMOTIONS, isEmotion, type Emotion } from './stories.js';

export const TRAINING_STATUSES = ['pending', 'collecting', 'training', 'ready', 'failed'] as const;
export type TrainingStatus = (typeof TRAINING_STATUSES)[number];

/** local: voice matching; elevenlabs: the cloning provider; stock: the platform's narrator. */
export const VOICE_PROVIDERS = ['local', 'elevenlabs', 'stock'] as const;
export type VoiceProvider = (typeof VOICE_PROVIDERS)[number];

export const NARRATION_STATUSES = ['pending', 'processing', 'completed', 'failed'] as const;
export type NarrationStatus = (typeof NARRATION_STATUSES)[number];

export const NARRATOR_PROFILES = ['neutral', 'grandma', 'kid', 'business', 'storyteller'] as const;
export type NarratorProfile = (typeof NARRATOR_PROFILES)[number];

export const CONVERSATION_STYLES = ['respectful', 'business', 'jovial', 'playful', 'close_friends', 'parent_to_child', 'child_to_parent', 'siblings'] as const;
export type ConversationStyle = (typeof CONVERSATION_STYLES)[number];

/** The platform's stock narrator voice: everyone's, always ready, no samples. */
export const STOCK_VOICE_ID = '00000000-0000-7000-8000-000000000001';

export const VOICE_NAME_MAX = 100;
/** What the speaker reads in a sample: long enough for a 60 s recording. */
export const SAMPLE_TEXT_MAX = 2000;
/** API.md: a sample's audio is at most 10 MB. */
export const SAMPLE_AUDIO_MAX_BYTES = 10 * 1024 * 1024;
/** A narration names a voice for at most this many characters. */
export const CHARACTER_VOICES_MAX = 50;


export const isTrainingStatus = isOneOf(TRAINING_STATUSES);
export const isVoiceProvider = isOneOf(VOICE_PROVIDERS);
export const isNarrationStatus = isOneOf(NARRATION_STATUSES);
export const isNarratorProfile = isOneOf(NARRATOR_PROFILES);
export const isConversationStyle = isOneOf(CONVERSATION_STYLES);
