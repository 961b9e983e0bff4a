/**
 * End to end: the gateway in process in front of the REAL identity and notification services
 * (in process on free ports, migrated, real PostgreSQL and Kafka), over HTTP: the welcome that a
 * registration produces shows up in GET /notifications, is read by its owner only, and
 * preferences round-trip with the service's own validation. Email goes to the .eml file sink.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { PROTO_SERVICES, type notification as notificationApi } from '@storytelling/contracts';
import { uuidv7 } from '@storytelling/kernel';
import { startInProcess, waitUntil, type InProcessService } from '@storytelling/testing';
import { startIdentity, type RunningIdentity } from '../../../identity/test/support/app-harness.js';
import { createNotificationApp } from '../../../notification/src/app.js';
import { startGateway } from '../support/app.js';
import { authorized, expectProblem, fieldsOf, registerMember, type Member } from '../support/http.js';

describe('gateway ⇄ notification (real identity and notification services, Postgres, Kafka)', () => {
  let identity: RunningIdentity;
  let notification: InProcessService<notificationApi.NotificationServiceClient>;
  let gateway: INestApplication;
  let http: ReturnType<INestApplication['getHttpServer']>;
  let mailDir: string;
  let ann: Member;
  let ben: Member;

  beforeAll(async () => {
    mailDir = await mkdtemp(join(tmpdir(), 'gateway-notification-mail-'));
    identity = await startIdentity();
    notification = await startInProcess('notification', PROTO_SERVICES.notification, createNotificationApp, {
      IDENTITY_GRPC_URL: identity.handle.grpcUrl!,
      PUBLIC_WEB_URL: 'https://web.example.test',
      MAIL_DIR: mailDir,
      NOTIFICATION_SEND_POLL_MS: '100',
    });
    gateway = await startGateway({ IDENTITY_GRPC_URL: identity.handle.grpcUrl!, NOTIFICATION_GRPC_URL: notification.handle.grpcUrl!, GRPC_DEADLINE_MS: '5000' });
    http = gateway.getHttpServer();
    ann = await newMember('Ann');
    ben = await newMember('Ben');
  }, 120_000);

  afterAll(async () => {
    await gateway?.close();
    await notification?.close();
    await identity?.close();
    await rm(mailDir, { recursive: true, force: true });
  });

  async function newMember(name: string): Promise<Member> {
    const member = await registerMember(http, name);
    // notification learns about the user from identity's UserRegistered.
    await waitUntil(async () => (await get(member, '/api/v1/notifications')).body.items?.length === 1, 30_000);
    return member;
  }

  const get = (m: Member, path: string) => authorized(http, m.token).get(path);
  const post = (m: Member, path: string) => authorized(http, m.token).post(path);
  const put = (m: Member, path: string, body: object) => authorized(http, m.token).put(path, body);

  it('registration → a welcome in GET /notifications and a welcome email (file sink) with the public link', async () => {
    const res = await get(ann, '/api/v1/notifications');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      items: [{ id: expect.any(String), type: 'welcome', title: 'Welcome, Ann', body: 'Start writing your first story.', link: 'https://web.example.test/stories', readAt: null, createdAt: expect.any(String) }],
      nextCursor: null,
    });
    let eml = '';
    await waitUntil(async () => {
      for (const f of await readdir(mailDir)) {
        const text = await readFile(join(mailDir, f), 'utf8');
        if (text.includes(`To: ${ann.email}`)) eml = text;
      }
      return eml !== '';
    }, 20_000);
    expect(eml).toMatch(/^Subject: Welcome to Storytelling, Ann$/m);
    expect(eml).toContain('https://web.example.test/stories');
  });

  it('POST /notifications/:id/read: 204 for the owner (twice), 404 NOTIFICATION_NOT_FOUND for another user or an unknown id', async () => {
    const [welcome] = (await get(ann, '/api/v1/notifications')).body.items as Array<{ id: string }>;
    expectProblem(await post(ben, `/api/v1/notifications/${welcome!.id}/read`), 404, 'NOTIFICATION_NOT_FOUND');
    expectProblem(await post(ann, `/api/v1/notifications/${uuidv7()}/read`), 404, 'NOTIFICATION_NOT_FOUND');
    expect((await post(ann, `/api/v1/notifications/${welcome!.id}/read`)).status).toBe(204);
    expect((await post(ann, `/api/v1/notifications/${welcome!.id}/read`)).status).toBe(204);
    expect((await get(ann, '/api/v1/notifications?unread=true')).body).toEqual({ items: [], nextCursor: null });
    expect((await get(ann, '/api/v1/notifications')).body.items[0].readAt).toEqual(expect.stringMatching(/Z$/));
    expect((await get(ben, '/api/v1/notifications?unread=true')).body.items).toHaveLength(1);
  });

  it('GET/PUT /notification-preferences: defaults, replace, the service’s field errors as 400', async () => {
    expect((await get(ann, '/api/v1/notification-preferences')).body).toEqual({ email: true, sms: false, inApp: true, mutedTypes: [], quietHours: null, phone: null });
    const wanted = { email: false, sms: true, inApp: true, mutedTypes: ['story_published'], quietHours: { start: '22:00', end: '07:00', timeZone: 'Europe/Madrid' }, phone: '+34600111222' };
    const res = await put(ann, '/api/v1/notification-preferences', wanted);
    expect(res.status).toBe(200);
    expect(res.body).toEqual(wanted);
    expect((await get(ann, '/api/v1/notification-preferences')).body).toEqual(wanted);

    const badZone = await put(ann, '/api/v1/notification-preferences', { ...wanted, quietHours: { start: '22:00', end: '22:00', timeZone: 'Mars/Olympus' } });
    expectProblem(badZone, 400, 'VALIDATION_FAILED');
    expect(Object.keys(fieldsOf(badZone)).sort()).toEqual(['quietHours.end', 'quietHours.timeZone']);
    const noPhone = await put(ann, '/api/v1/notification-preferences', { ...wanted, phone: null });
    expectProblem(noPhone, 400, 'VALIDATION_FAILED');
    expect(fieldsOf(noPhone)).toEqual({ sms: 'SMS needs a phone number' });
    expect((await get(ann, '/api/v1/notification-preferences')).body).toEqual(wanted); // unchanged
    expectProblem(await request(http).get('/api/v1/notification-preferences'), 401, 'UNAUTHENTICATED');
  });
});
