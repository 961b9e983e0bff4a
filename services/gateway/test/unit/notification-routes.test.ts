/**
 * The notification routes' HTTP layer against a fake NotificationPort: validation of bodies,
 * queries and path parameters, status codes, field errors passed through from the service,
 * the caller's token forwarded, OpenAPI. The real rules run in gateway-notification.e2e.test.ts.
 */
import request from 'supertest';
import { uuidv7 } from '@storytelling/kernel';
import { fakeGatewayWithMember, type FakeGateway } from '../support/app.js';
import { grpcError } from '../support/fake-identity.js';
import { expectProblem, fieldsOf } from '../support/http.js';

describe('notification routes (fake notification service)', () => {
  let gw: FakeGateway;
  let token: string;
  let userId: string;
  let otherToken: string;

  beforeAll(async () => {
    ({ gw, userId, token } = await fakeGatewayWithMember());
    otherToken = await gw.identity.tokenFor('member', uuidv7());
  });
  afterAll(() => gw.app.close());
  beforeEach(() => gw.notification.reset());

  const as = (r: request.Test, t = token) => r.set('authorization', `Bearer ${t}`);
  const valid = { email: true, sms: true, inApp: false, mutedTypes: ['story_published'], quietHours: { start: '22:00', end: '07:00', timeZone: 'Europe/Madrid' }, phone: '+34600111222' };

  describe('GET /notifications', () => {
    it('lists the caller’s notifications newest first with a cursor, forwarding the token', async () => {
      gw.notification.add(userId, 'welcome');
      gw.notification.add(userId, 'payment_failed');
      const res = await as(request(gw.server).get('/api/v1/notifications?limit=1'));
      expect(res.status).toBe(200);
      expect(res.body.items.map((n: { type: string }) => n.type)).toEqual(['payment_failed']);
      expect(res.body.items[0]).toEqual(expect.objectContaining({ readAt: null, link: 'https://app.test/x' }));
      expect(typeof res.body.nextCursor).toBe('string');
      expect(gw.notification.calls[0]!.context?.bearerToken).toBe(token);
      const next = await as(request(gw.server).get(`/api/v1/notifications?limit=1&cursor=${res.body.nextCursor}`));
      expect(next.body).toEqual({ items: [expect.objectContaining({ type: 'welcome' })], nextCursor: null });
    });

    it('passes unread=true/false and defaults the page size', async () => {
      await as(request(gw.server).get('/api/v1/notifications?unread=true'));
      await as(request(gw.server).get('/api/v1/notifications'));
      expect(gw.notification.calls.map((c) => c.args)).toEqual([[{ limit: 20 }, true], [{ limit: 20 }, false]]);
    });

    it('rejects bad queries and anonymous callers', async () => {
      const res = await as(request(gw.server).get('/api/v1/notifications?limit=0&unread=maybe&x=1'));
      expectProblem(res, 400, 'VALIDATION_FAILED');
      expect(Object.keys(fieldsOf(res)).sort()).toEqual(['limit', 'unread', 'x']);
      expectProblem(await request(gw.server).get('/api/v1/notifications'), 401, 'UNAUTHENTICATED');
      expect(gw.notification.calls).toEqual([]);
    });
  });

  describe('POST /notifications/:id/read', () => {
    it('204 for the owner (idempotent), 404 NOTIFICATION_NOT_FOUND for anyone else', async () => {
      const n = gw.notification.add(userId);
      expect((await as(request(gw.server).post(`/api/v1/notifications/${n.id}/read`))).status).toBe(204);
      expect((await as(request(gw.server).post(`/api/v1/notifications/${n.id}/read`))).status).toBe(204);
      expectProblem(await as(request(gw.server).post(`/api/v1/notifications/${n.id}/read`), otherToken), 404, 'NOTIFICATION_NOT_FOUND');
    });

    it('rejects a non-UUID id and a body', async () => {
      const bad = await as(request(gw.server).post('/api/v1/notifications/nope/read'));
      expectProblem(bad, 400, 'VALIDATION_FAILED');
      expect(fieldsOf(bad)).toEqual({ id: 'must be a UUID' });
      const withBody = await as(request(gw.server).post(`/api/v1/notifications/${uuidv7()}/read`)).send({ read: true });
      expectProblem(withBody, 400, 'VALIDATION_FAILED');
    });
  });

  describe('/notification-preferences', () => {
    it('GET answers the preferences; PUT replaces them', async () => {
      const initial = await as(request(gw.server).get('/api/v1/notification-preferences'));
      expect(initial.status).toBe(200);
      expect(initial.body).toEqual({ email: true, sms: false, inApp: true, mutedTypes: [], quietHours: null, phone: null });
      const put = await as(request(gw.server).put('/api/v1/notification-preferences')).send(valid);
      expect(put.status).toBe(200);
      expect(put.body).toEqual(valid);
      expect((await as(request(gw.server).get('/api/v1/notification-preferences'))).body).toEqual(valid);
      const cleared = await as(request(gw.server).put('/api/v1/notification-preferences')).send({ ...valid, sms: false, quietHours: null, phone: null });
      expect(cleared.body).toMatchObject({ quietHours: null, phone: null });
    });

    it('400 with field errors for a malformed body (gateway) and for what the service refuses', async () => {
      const res = await as(request(gw.server).put('/api/v1/notification-preferences')).send({
        email: 'yes',
        inApp: true,
        mutedTypes: ['spam'],
        quietHours: { start: '7:00', end: '24:00', timeZone: 'UTC', extra: 1 },
        phone: '600',
      });
      expectProblem(res, 400, 'VALIDATION_FAILED');
      expect(Object.keys(fieldsOf(res)).sort()).toEqual(['email', 'mutedTypes', 'phone', 'quietHours.end', 'quietHours.extra', 'quietHours.start', 'sms']);
      expect(gw.notification.calls).toEqual([]);

      const zone = await as(request(gw.server).put('/api/v1/notification-preferences')).send({ ...valid, quietHours: { ...valid.quietHours, timeZone: 'Mars/Olympus' } });
      expectProblem(zone, 400, 'VALIDATION_FAILED');
      expect(fieldsOf(zone)).toEqual({ 'quietHours.timeZone': 'must be an IANA time zone' });
    });

    it('maps service failures to problems', async () => {
      gw.notification.failWith = grpcError(5, 'recipient not found', 'RECIPIENT_NOT_FOUND');
      expectProblem(await as(request(gw.server).get('/api/v1/notification-preferences')), 404, 'RECIPIENT_NOT_FOUND');
      gw.notification.failWith = grpcError(14, 'unavailable');
      expectProblem(await as(request(gw.server).get('/api/v1/notification-preferences')), 503, 'SERVICE_UNAVAILABLE');
    });
  });

  it('documents the routes in OpenAPI', async () => {
    const res = await request(gw.server).get('/openapi.json');
    expect(res.status).toBe(200);
    const paths = res.body.paths as Record<string, Record<string, unknown>>;
    expect(Object.keys(paths['/api/v1/notifications'] ?? {})).toEqual(['get']);
    expect(Object.keys(paths['/api/v1/notifications/{id}/read'] ?? {})).toEqual(['post']);
    expect(Object.keys(paths['/api/v1/notification-preferences'] ?? {}).sort()).toEqual(['get', 'put']);
  });
});

describe('notification types', () => {
  it('the gateway accepts exactly the types notification sends', async () => {
    const { NOTIFICATION_TYPES: sent } = await import('../../../notification/src/domain/notification-type.js');
    const { NOTIFICATION_TYPES: accepted } = await import('../../src/application/notification.port.js');
    expect([...accepted].sort()).toEqual([...sent].sort());
  });
});
