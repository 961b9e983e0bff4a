import type { CloneVoiceInput, VoiceCloning } from '../../application/ports/index.js';
import type { ElevenLabsClient } from './elevenlabs-client.js';

/** Training clones the voice's samples at ElevenLabs (instant voice cloning); erasure and retraining delete it there. */
export class ElevenLabsVoiceCloning implements VoiceCloning {
  readonly provider = 'elevenlabs' as const;

  constructor(private readonly client: ElevenLabsClient) {}

  async clone(input: CloneVoiceInput): Promise<{ providerVoiceId: string }> {
    // The provider's own name for it: ours plus the id, so an operator can trace it back.
    const providerVoiceId = await this.client.addVoice(`${input.name} (${input.voiceId})`, input.samples);
    return { providerVoiceId };
  }

  remove(providerVoiceId: string): Promise<void> {
    return this.client.deleteVoice(providerVoiceId);
  }
}

/** NARRATION_CLONING_PROVIDER=local: voice matching alone, nothing leaves the platform. */
export class LocalVoiceMatching implements VoiceCloning {
  readonly provider = 'local' as const;

  async clone(): Promise<{ providerVoiceId?: string }> {
    return {};
  }

  async remove(): Promise<void> {
    // nothing was cloned anywhere
  }
}
