/**
 * End to end: GET /users/me/export through the gateway in front of the REAL identity,
 * subscription, story and narration services (real PostgreSQL schemas, Kafka, Piper and ffmpeg)
 * sharing one media store; payments and notification are the gateway's in-memory stand-ins (their
 * parts of the export are covered by export-route.test.ts). A member who narrated a story and
 * follows (and is followed by) another member finds both in their export: the narration with every
 * segment and the whole file as signed links that serve real audio, and the follows both ways;
 * the other member's narration is not in it.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { probeAudio } from '@storytelling/platform';
import { waitUntil } from '@storytelling/testing';
import { analysedStory, type Member, type NarrationStack } from '../../../narration/test/support/narration-stack.js';
import { STOCK_VOICE_ID } from '../../src/domain/narrations.js';
import { startNarrationGateway, type NarrationGateway } from '../support/narration-gateway.js';
import { FakeNotification } from '../support/fake-notification.js';
import { FakePayments } from '../support/fake-payments.js';
import type { HttpServer } from '../support/http.js';

const API = '/api/v1';
const STORY = 'Mira kept the lighthouse on the cliff. One night a storm came, and Mira was afraid. "Who is out there?" asked Mira. The sailors were safe and happy.';

interface ExportedNarration {
  id: string;
  storyId: string;
  status: string;
  audioUrl: string | null;
  segments: Array<{ index: number; text: string; audioUrl: string | null }>;
}

describe('GET /users/me/export with narrations and follows (real identity, subscription, story, narration; Piper, ffmpeg)', () => {
  let stack: NarrationStack;
  let http: HttpServer;
  let scratch: string;
  let ann: Member;
  let bob: Member;

  let world: NarrationGateway;

  beforeAll(async () => {
    world = await startNarrationGateway('gwexport', {
      env: (s) => ({ SUBSCRIPTION_GRPC_URL: s.subscription.handle.grpcUrl! }),
      options: { payments: new FakePayments(), notification: new FakeNotification() },
    });
    ({ stack, http, scratch, ann, bob } = world);
  }, 180_000);

  afterAll(async () => {
    await world?.close();
  });

  const as = (r: request.Test, who: Member) => r.set('authorization', `Bearer ${who.token}`);
  const pathOf = (url: string): string => {
    const u = new URL(url);
    expect(u.origin).toBe('http://gateway.test');
    return `${u.pathname}${u.search}`;
  };
  /** The bytes a signed link serves (no token: the signature is the permission). */
  async function fetched(url: string): Promise<Buffer> {
    const res = await request(http).get(pathOf(url)).buffer(true);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('audio/ogg');
    return res.body as Buffer;
  }

  it("has the member's narration (segments and whole file as signed links serving real audio) and follows both ways, and not another member's narration", async () => {
    const annStory = await analysedStory(stack, ann, 'The Lighthouse', STORY);
    const bobStory = await analysedStory(stack, bob, 'The Harbour', STORY);
    const asked = await as(request(http).post(`${API}/stories/${annStory.id}/narrations`), ann).send({ voiceId: STOCK_VOICE_ID });
    expect(asked.status).toBe(202);
    const theirs = await as(request(http).post(`${API}/stories/${bobStory.id}/narrations`), bob).send({ voiceId: STOCK_VOICE_ID });
    expect(theirs.status).toBe(202);
    // story learns of a member from identity's event; both have written a story, so it has.
    expect((await as(request(http).post(`${API}/authors/${bob.id}/follow`), ann).send()).status).toBe(204);
    expect((await as(request(http).post(`${API}/authors/${ann.id}/follow`), bob).send()).status).toBe(204);

    await waitUntil(async () => {
      const status = (await as(request(http).get(`${API}/narrations/${asked.body.id as string}`), ann)).body.status as string;
      if (status === 'failed') throw new Error('the narration failed');
      return status === 'completed';
    }, 150_000);

    const res = await as(request(http).get(`${API}/users/me/export`), ann);
    expect(res.status).toBe(200);
    expect(res.body.profile).toMatchObject({ id: ann.id });

    const narrations = res.body.narrations as ExportedNarration[];
    expect(narrations.map((n) => n.id)).toEqual([asked.body.id]);
    expect(JSON.stringify(res.body)).not.toContain(theirs.body.id as string);
    const [mine] = narrations;
    expect(mine).toMatchObject({ storyId: annStory.id, status: 'completed' });
    expect(mine!.segments.length).toBeGreaterThanOrEqual(2);
    for (const segment of mine!.segments) {
      expect(segment.audioUrl).toMatch(new RegExp(`^http://gateway\\.test/api/v1/files/narrations/${ann.id}/${mine!.id}/segments/${segment.index}-\\d+\\.ogg\\?expires=\\d+&signature=`));
      expect((await fetched(segment.audioUrl!)).subarray(0, 4).toString('latin1')).toBe('OggS');
    }
    const whole = await fetched(mine!.audioUrl!);
    expect(whole.subarray(0, 4).toString('latin1')).toBe('OggS');
    const file = join(scratch, 'whole.ogg');
    writeFileSync(file, whole);
    const info = await probeAudio(file);
    expect(info.codec).toBe('opus');
    expect(info.durationSec).toBeGreaterThan(1);
    // A link whose signature was tampered with serves nothing.
    expect((await request(http).get(pathOf(mine!.audioUrl!).replace(/signature=./, 'signature=0'))).status).toBe(403);

    expect(res.body.follows).toEqual({
      following: [{ id: bob.id, displayName: 'Bob', followedAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/) }],
      followers: [{ id: bob.id, displayName: 'Bob', followedAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/) }],
    });

    // Bob's export has Bob's narration and none of Ann's.
    const bobs = await as(request(http).get(`${API}/users/me/export`), bob);
    expect(bobs.status).toBe(200);
    expect((bobs.body.narrations as ExportedNarration[]).map((n) => n.id)).toEqual([theirs.body.id]);
  }, 300_000);
});
