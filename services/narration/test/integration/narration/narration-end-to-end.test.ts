// A short analysed story narrated end to end with the real engine: identity (tokens), story (the
// story and its analysis, read over gRPC through the ACL), subscription (CheckQuota, and the quota
// saga's reservations over Kafka) and narration in process, Piper and ffmpeg as processes, the
// audio decoded back from the object store.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { identityEvents, narrationCommands, narrationEvents, type narration } from '@storytelling/contracts';
import { uuidv7 } from '@storytelling/kernel';
import { isSilent, measureSignal, ObjectNotFoundError, probeAudio } from '@storytelling/platform';
import { EventProbe, waitUntil } from '@storytelling/testing';
import { SPEECH_ENGINE, type SpeechEngine, type SpeechRequest, type SpeechResult } from '../../../src/application/index.js';
import { STOCK_VOICE_ID } from '../../../src/domain/index.js';
import { createSpeechEngine } from '../../../src/infrastructure/speech/index.js';
import { MEDIA_TOOLS_DIR, analysedStory, member, startNarrationStack, type Member, type NarrationStack } from '../../support/narration-stack.js';

const PAUSE_MS = 400;
const FAIL_MARKER = 'Zzyzx';

const LIGHTHOUSE = [
  'Mira kept the lighthouse on the cliff above the sea. One night a terrible storm came, and Mira was afraid of the dark waves.',
  '"Who is out there?" asked Mira. A small boat was lost in the storm! Mira lit the great lamp, and the sailors were safe and happy.',
].join('\n\n');

/** The real engine, except that a segment with the marker always fails (a broken synthesis). */
class MarkerFailingEngine implements SpeechEngine {
  readonly name: string;
  constructor(private readonly real: SpeechEngine) {
    this.name = real.name;
  }
  synthesise(request: SpeechRequest, outputPath: string): Promise<SpeechResult> {
    if (request.text.includes(FAIL_MARKER)) return Promise.reject(new Error('the engine crashed'));
    return this.real.synthesise(request, outputPath);
  }
}

describe('narration end to end (identity + subscription + story + narration in process, real audio)', () => {
  let stack: NarrationStack;
  let scratch: string;
  let ann: Member;
  let narrationId: string;
  let first: narration.Narration;

  beforeAll(async () => {
    const engine = new MarkerFailingEngine(createSpeechEngine({ engine: 'piper', toolsDir: MEDIA_TOOLS_DIR }));
    stack = await startNarrationStack('narr', { narrationEnv: { NARRATION_SEGMENT_PAUSE_MS: String(PAUSE_MS) }, providers: [{ provide: SPEECH_ENGINE, useValue: engine }] });
    scratch = await mkdtemp(join(tmpdir(), 'narration-e2e-'));
    ann = await member(stack, 'Ann');
  }, 180_000);

  afterAll(async () => {
    await stack?.close();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  const get = (id: string, as = ann) => stack.narration.client.getNarration({ narrationId: id }, as.as).then((r) => r.narration!);

  /** Downloads an object and decodes it: duration and peak level. */
  async function decoded(key: string): Promise<{ seconds: number; silent: boolean; codec: string }> {
    const object = await stack.objects.get(key);
    const chunks: Buffer[] = [];
    for await (const chunk of object.body) chunks.push(chunk as Buffer);
    const path = join(scratch, `${uuidv7()}.ogg`);
    await writeFile(path, Buffer.concat(chunks));
    const info = await probeAudio(path);
    return { seconds: info.durationSec, silent: isSilent(await measureSignal(path)), codec: info.codec };
  }

  const outbox = async (aggregateId: string): Promise<Array<{ type: string; data: Record<string, unknown> }>> =>
    stack.ds.query(`SELECT type, data FROM domain_events WHERE aggregate_id = $1 ORDER BY version`, [aggregateId]);
  const sagaOf = async (id: string): Promise<{ status: string; step: string } | undefined> =>
    ((await stack.ds.query(`SELECT status, step FROM saga_instances WHERE type = 'narration-quota' AND state->>'narrationId' = $1`, [id])) as Array<{ status: string; step: string }>)[0];
  const usage = async (who: Member) => stack.subscription.client.checkQuota({ userId: '', resource: 'narrations', amount: 1 }, who.as);

  it('narrates every segment in its emotion with real speech, joins them with pauses, and commits the quota', async () => {
    const story = await analysedStory(stack, ann, 'The Lighthouse', LIGHTHOUSE);
    const asked = (await stack.narration.client.requestNarration({ storyId: story.id, voiceId: '', characterVoices: {}, narratorProfile: 'storyteller', conversationStyle: 'parent_to_child' }, ann.as)).narration!;
    narrationId = asked.id;
    expect(asked).toMatchObject({ status: 'pending', storyId: story.id, ownerId: ann.id, progressDone: 0, narratorProfile: 'storyteller', conversationStyle: 'parent_to_child' });
    expect(asked.segments.length).toBeGreaterThanOrEqual(4);
    expect(new Set(asked.segments.map((s) => s.emotion)).has('fear')).toBe(true);
    expect(asked.segments.every((s) => s.text.length > 0 && s.text.length <= 500)).toBe(true);
    expect(asked.segments.map((s) => s.text).join(' ')).toBe(LIGHTHOUSE.replace(/\s+/g, ' '));

    await waitUntil(async () => (await get(narrationId)).status === 'completed', 240_000, 500);
    first = await get(narrationId);
    expect(first).toMatchObject({ progressDone: first.segments.length, progressTotal: first.segments.length, contentType: 'audio/ogg', audioObjectKey: `narrations/${ann.id}/${narrationId}/narration-1.ogg` });

    let sum = 0;
    for (const segment of first.segments) {
      expect(segment.audioObjectKey).toBe(`narrations/${ann.id}/${narrationId}/segments/${segment.index}-1.ogg`);
      const audio = await decoded(segment.audioObjectKey);
      expect(audio.codec).toBe('opus');
      expect(audio.seconds).toBeGreaterThan(0.3);
      expect(audio.silent).toBe(false);
      expect(segment.durationSeconds).toBeCloseTo(audio.seconds, 2);
      sum += audio.seconds;
    }
    const whole = await decoded(first.audioObjectKey);
    const expected = sum + ((first.segments.length - 1) * PAUSE_MS) / 1000;
    expect(whole.silent).toBe(false);
    expect(Math.abs(whole.seconds - expected)).toBeLessThan(0.25);
    expect(first.durationSeconds).toBeCloseTo(whole.seconds, 2);
    console.log(`narrated ${first.segments.length} segments: ${sum.toFixed(2)} s of speech, whole file ${whole.seconds.toFixed(2)} s (expected ${expected.toFixed(2)} s)`);

    await waitUntil(async () => (await sagaOf(narrationId))?.status === 'completed', 60_000);
    expect(await usage(ann)).toMatchObject({ used: 1, reserved: 0 });
    expect((await outbox(narrationId)).map((e) => e.type.split('.')[3])).toEqual(['requested', 'generated']);
  }, 300_000);

  it('regeneration changes only that segment and the whole file, under new keys', async () => {
    const index = 1;
    await stack.narration.client.regenerateSegment({ narrationId, index }, ann.as);
    await waitUntil(async () => (await get(narrationId)).audioObjectKey.endsWith('narration-2.ogg'), 120_000, 500);
    const after = await get(narrationId);
    expect(after.status).toBe('completed');
    for (const segment of after.segments) {
      const before = first.segments[segment.index]!;
      if (segment.index === index) expect(segment.audioObjectKey).toBe(`narrations/${ann.id}/${narrationId}/segments/${index}-2.ogg`);
      else expect(segment).toEqual(before);
    }
    const regenerated = await decoded(after.segments[index]!.audioObjectKey);
    expect(regenerated.silent).toBe(false);
    expect(regenerated.seconds).toBeGreaterThan(0.3);
    await expect(stack.objects.head(first.segments[index]!.audioObjectKey)).rejects.toBeInstanceOf(ObjectNotFoundError);
    await expect(stack.objects.head(first.audioObjectKey)).rejects.toBeInstanceOf(ObjectNotFoundError);
    const whole = await decoded(after.audioObjectKey);
    const sum = after.segments.reduce((total, s) => total + s.durationSeconds, 0);
    expect(Math.abs(whole.seconds - (sum + ((after.segments.length - 1) * PAUSE_MS) / 1000))).toBeLessThan(0.25);
    const events = await outbox(narrationId);
    expect(events.map((e) => e.type.split('.')[3])).toEqual(['requested', 'generated', 'regenerated']);
    expect(events[2]!.data).toMatchObject({ narrationId, index, durationSeconds: after.durationSeconds });
  }, 180_000);

  it("a saga's GenerateNarration for it is answered again with that saga's id; DiscardNarration deletes it and answers", async () => {
    const sagaId = uuidv7();
    await stack.kafka.publish(narrationCommands.GenerateNarration.topic, {
      type: narrationCommands.GenerateNarration.type,
      subject: sagaId,
      data: { sagaId, narrationId, storyId: first.storyId, ownerId: ann.id, voiceId: '', characterVoices: {} },
    });
    await waitUntil(async () => (await outbox(narrationId)).some((e) => e.type.endsWith('generated.v1') && e.data.sagaId === sagaId), 30_000);

    await stack.kafka.publish(narrationCommands.DiscardNarration.topic, { type: narrationCommands.DiscardNarration.type, subject: sagaId, data: { sagaId, narrationId, reason: 'publication_failed' } });
    await waitUntil(async () => (await outbox(narrationId)).some((e) => e.type.endsWith('discarded.v1')), 30_000);
    expect((await outbox(narrationId)).at(-1)!.data).toMatchObject({ narrationId, ownerId: ann.id, reason: 'publication_failed', sagaId });
    await expect(get(narrationId)).rejects.toMatchObject({ code: 5 });
    await expect(stack.objects.head(`narrations/${ann.id}/${narrationId}/narration-2.ogg`)).rejects.toBeInstanceOf(ObjectNotFoundError);
    const segments: unknown[] = await stack.ds.query(`SELECT 1 FROM narration_segments WHERE narration_id = $1`, [narrationId]);
    expect(segments).toEqual([]);
  }, 90_000);

  it("a publishing saga's GenerateNarration for a narration that does not exist yet: read with narration's service token, narrated, NarrationGenerated with the saga id", async () => {
    const harbour = 'The boats came home at dusk. Mira waved from the lighthouse, and the sailors waved back.';
    const story = await analysedStory(stack, ann, 'The Harbour', harbour);
    const probe = await EventProbe.start(narrationEvents.NarrationGenerated.topic, { topicPrefix: stack.sandbox.topicPrefix });
    try {
      const sagaId = uuidv7();
      const id = uuidv7();
      await stack.kafka.publish(narrationCommands.GenerateNarration.topic, {
        type: narrationCommands.GenerateNarration.type,
        subject: sagaId,
        data: { sagaId, narrationId: id, storyId: story.id, ownerId: ann.id, voiceId: '', characterVoices: {} },
      });
      const generated = await probe.waitFor<{ narrationId: string; sagaId: string; segments: number }>(
        (e) => e.envelope.type === narrationEvents.NarrationGenerated.type && e.envelope.subject === id,
        180_000,
      );
      expect(generated.envelope.data).toMatchObject({ narrationId: id, storyId: story.id, ownerId: ann.id, sagaId });
      expect(generated.envelope.correlationid).toBe(sagaId);
      const made = await get(id);
      expect(made).toMatchObject({ status: 'completed', storyId: story.id, ownerId: ann.id, voiceId: STOCK_VOICE_ID, failureReason: '' });
      expect(made.segments.map((s) => s.text).join(' ')).toBe(harbour);
      expect(made.segments.every((s) => s.audioObjectKey !== '')).toBe(true);
      expect(generated.envelope.data.segments).toBe(made.segments.length);
      expect((await decoded(made.audioObjectKey)).silent).toBe(false);
      expect((await outbox(id)).map((e) => [e.type.split('.')[3], e.data.sagaId])).toEqual([
        ['requested', sagaId],
        ['generated', sagaId],
      ]);
      // Counted by the publishing saga's own reservation: no narration-quota saga of its own.
      expect(await sagaOf(id)).toBeUndefined();
    } finally {
      await probe.close();
    }
  }, 240_000);

  it('a segment that keeps failing fails the narration with a reason (no hole), and the quota is released', async () => {
    const bob = await member(stack, 'Bob');
    const story = await analysedStory(stack, bob, 'The Broken Lamp', `The lamp went out and the keeper was terribly afraid. The keeper said ${FAIL_MARKER} to the night.`);
    const { id } = (await stack.narration.client.requestNarration({ storyId: story.id, voiceId: '', characterVoices: {}, narratorProfile: '', conversationStyle: '' }, bob.as)).narration!;
    await waitUntil(async () => (await get(id, bob)).status === 'failed', 120_000, 500);
    const failed = await get(id, bob);
    expect(failed.failureReason).toMatch(/^SEGMENT_FAILED: segment \d+ failed 3 times: the engine crashed/);
    expect(failed.audioObjectKey).toBe('');
    expect(failed.progressDone).toBeLessThan(failed.progressTotal);
    await waitUntil(async () => (await sagaOf(id))?.status === 'compensated', 60_000);
    expect(await usage(bob)).toMatchObject({ used: 0, reserved: 0 });
    expect((await outbox(id)).map((e) => e.type.split('.')[3])).toEqual(['requested', 'failed']);

    // Erasure: identity's UserDeactivated deletes Bob's narrations, rows and objects.
    const stored = await stack.ds.query(`SELECT audio_object_key FROM narration_segments WHERE narration_id = $1 AND audio_object_key IS NOT NULL`, [id]);
    expect(stored.length).toBeGreaterThan(0);
    await stack.kafka.publish(identityEvents.UserDeactivated.topic, { type: identityEvents.UserDeactivated.type, subject: bob.id, data: { userId: bob.id } });
    await waitUntil(async () => ((await stack.ds.query(`SELECT 1 FROM narrations WHERE owner_id = $1`, [bob.id])) as unknown[]).length === 0, 30_000);
    for (const row of stored as Array<{ audio_object_key: string }>) await expect(stack.objects.head(row.audio_object_key)).rejects.toBeInstanceOf(ObjectNotFoundError);
    expect((await outbox(id)).map((e) => e.type.split('.')[3])).toEqual(['requested', 'failed', 'discarded']);
  }, 240_000);
});
