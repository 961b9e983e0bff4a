/**
 * End to end: the gateway in process in front of the REAL narration service with identity,
 * subscription and story (narration's own stack: real PostgreSQL schemas, Kafka, Piper and
 * ffmpeg), sharing its media store, over HTTP only: an analysed story is narrated (202 pending →
 * completed), every segment and the whole file answer freshly signed links, the whole narration
 * comes as one Opus file by 302 to its /files link (Range → 206), one segment is regenerated
 * alone (new keys for it and the whole file, the others unchanged), and the service's refusals
 * arrive as problems with their codes.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { probeAudio } from '@storytelling/platform';
import { waitUntil } from '@storytelling/testing';
import { analysedStory, type Member, type NarrationStack } from '../../../narration/test/support/narration-stack.js';
import { STOCK_VOICE_ID } from '../../src/domain/narrations.js';
import { startNarrationGateway, type NarrationGateway } from '../support/narration-gateway.js';
import { expectProblem, type HttpServer } from '../support/http.js';

const API = '/api/v1';
const STORY = 'Mira kept the lighthouse on the cliff. One night a storm came, and Mira was afraid. "Who is out there?" asked Mira. The sailors were safe and happy.';

interface SegmentBody {
  index: number;
  audioUrl: string | null;
  durationSeconds: number | null;
}

describe('gateway ⇄ narration: narrating a story (real identity, subscription, story and narration; Piper, ffmpeg)', () => {
  let stack: NarrationStack;
  let http: HttpServer;
  let scratch: string;
  let ann: Member;
  let bob: Member;

  let world: NarrationGateway;

  beforeAll(async () => {
    world = await startNarrationGateway('gwnar');
    ({ stack, http, scratch, ann, bob } = world);
  }, 180_000);

  afterAll(async () => {
    await world?.close();
  });

  const as = (r: request.Test, who: Member) => r.set('authorization', `Bearer ${who.token}`);
  const get = (path: string, who = ann) => as(request(http).get(`${API}${path}`), who);
  const post = (path: string, body?: object, who = ann) => as(request(http).post(`${API}${path}`), who).send(body);
  const pathOf = (url: string): string => {
    const u = new URL(url);
    expect(u.origin).toBe('http://gateway.test');
    return `${u.pathname}${u.search}`;
  };
  const keyOf = (url: string | null): string | undefined => (url ? new URL(url).pathname.replace(`${API}/files/`, '') : undefined);

  async function settled(id: string, done: (body: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
    let last: Record<string, unknown> = {};
    await waitUntil(async () => {
      last = (await get(`/narrations/${id}`)).body as Record<string, unknown>;
      return last.status === 'failed' || done(last);
    }, 150_000);
    expect(last.failureReason).toBeNull();
    return last;
  }

  it('narrates an analysed story: 202 pending, then completed with every segment and the whole file signed; the whole file by 302, with Range', async () => {
    const story = await analysedStory(stack, ann, 'The Lighthouse', STORY);
    const asked = await post(`/stories/${story.id}/narrations`, { voiceId: STOCK_VOICE_ID, narratorProfile: 'storyteller', conversationStyle: 'parent_to_child' });
    expect(asked.status).toBe(202);
    expect(asked.headers.location).toBe(`${API}/narrations/${asked.body.id}`);
    expect(asked.body).toMatchObject({ storyId: story.id, status: 'pending', voiceId: STOCK_VOICE_ID, audioUrl: null, narratorProfile: 'storyteller', conversationStyle: 'parent_to_child' });
    expect(asked.body.segments.length).toBeGreaterThanOrEqual(2);
    expect(asked.body.segments.every((s: SegmentBody) => s.audioUrl === null)).toBe(true);
    const id = asked.body.id as string;

    expectProblem(await get(`/narrations/${id}/audio`), 409, 'NARRATION_AUDIO_NOT_READY');
    const done = await settled(id, (n) => n.status === 'completed');
    const segments = done.segments as SegmentBody[];
    expect(done.progress).toEqual({ done: segments.length, total: segments.length });
    for (const s of segments) {
      expect(s.audioUrl).toMatch(new RegExp(`^http://gateway\\.test/api/v1/files/narrations/${ann.id}/${id}/segments/${s.index}-\\d+\\.ogg\\?expires=\\d+&signature=`));
      expect(s.durationSeconds).toBeGreaterThan(0.3);
    }
    const one = await request(http).get(pathOf(segments[0]!.audioUrl!)).buffer(true);
    expect({ status: one.status, type: one.headers['content-type'] }).toEqual({ status: 200, type: 'audio/ogg' });

    // The whole narration: a redirect to a fresh link, which any player can stream and seek.
    const audio = await get(`/narrations/${id}/audio`);
    expect(audio.status).toBe(302);
    expect(audio.headers['cache-control']).toBe('no-store');
    const whole = await request(http).get(pathOf(audio.headers.location as string)).buffer(true);
    expect(whole.status).toBe(200);
    expect(whole.headers['content-type']).toBe('audio/ogg');
    const file = join(scratch, 'whole.ogg');
    writeFileSync(file, whole.body as Buffer);
    const info = await probeAudio(file);
    expect(info.codec).toBe('opus');
    expect(Math.abs(info.durationSec - (done.durationSeconds as number))).toBeLessThan(0.2);
    const sum = segments.reduce((total, s) => total + s.durationSeconds!, 0);
    expect(info.durationSec).toBeGreaterThan(sum);
    const start = await request(http).get(pathOf(audio.headers.location as string)).set('range', 'bytes=0-3').buffer(true);
    expect({ status: start.status, range: start.headers['content-range'], body: (start.body as Buffer).toString('latin1') }).toEqual({
      status: 206,
      range: `bytes 0-3/${(whole.body as Buffer).length}`,
      body: 'OggS',
    });

    // Nobody else sees it.
    expectProblem(await get(`/narrations/${id}`, bob), 404, 'NARRATION_NOT_FOUND');
    expectProblem(await get(`/narrations/${id}/audio`, bob), 404, 'NARRATION_NOT_FOUND');

    // Regenerating one segment changes that segment and the whole file only (new keys: old links never serve new bytes).
    const before = { whole: keyOf(done.audioUrl as string), segments: segments.map((s) => keyOf(s.audioUrl)) };
    const again = await post(`/narrations/${id}/segments/0/regenerate`);
    expect(again.status).toBe(202);
    expect(again.headers.location).toBe(`${API}/narrations/${id}`);
    const after = await settled(id, (n) => n.status === 'completed' && keyOf(n.audioUrl as string) !== before.whole);
    const afterSegments = (after.segments as SegmentBody[]).map((s) => keyOf(s.audioUrl));
    expect(afterSegments[0]).not.toBe(before.segments[0]);
    expect(afterSegments.slice(1)).toEqual(before.segments.slice(1));
  }, 300_000);

  it('answers narration’s refusals as problems: 422 STORY_NOT_ANALYSED, 404 STORY_NOT_FOUND, 422 VOICE_NOT_READY, 400 for a bad body', async () => {
    let draftId = '';
    await waitUntil(async () => {
      const res = await stack.story.client.createStory({ title: 'Not yet analysed', content: 'A short tale.' }, ann.as).catch(() => undefined);
      draftId = res?.story?.id ?? '';
      return draftId !== '';
    }, 30_000);
    expectProblem(await post(`/stories/${draftId}/narrations`, { voiceId: STOCK_VOICE_ID }), 422, 'STORY_NOT_ANALYSED');
    expectProblem(await post(`/stories/${draftId}/narrations`, { voiceId: STOCK_VOICE_ID }, bob), 404, 'STORY_NOT_FOUND');

    const voice = await post('/voices', { name: 'Untrained' });
    expect(voice.status).toBe(201);
    const story = await analysedStory(stack, ann, 'Another night', 'The moon rose over the hill. The owl said hello.');
    expectProblem(await post(`/stories/${story.id}/narrations`, { voiceId: voice.body.id }), 422, 'VOICE_NOT_READY');
    expectProblem(await post(`/stories/${story.id}/narrations`, { voiceId: 'stock' }), 400, 'VALIDATION_FAILED');
  }, 120_000);
});
