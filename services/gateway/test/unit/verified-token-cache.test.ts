import request from 'supertest';
import { fakeGateway } from '../support/app.js';
import { signAccessToken } from '../support/fake-identity.js';

describe('gateway with the verified-token cache', () => {
  it('verifies a token once, serves repeats from the cache, and still rejects other tokens', async () => {
    const gw = await fakeGateway({ RATE_LIMIT_PER_MINUTE: '100000' });
    try {
      const token = await gw.identity.tokenFor('member');
      for (let i = 0; i < 3; i++) expect((await request(gw.server).get('/api/v1/stories').set('authorization', `Bearer ${token}`)).status).toBe(200);
      expect(gw.story.calls.filter((c) => c.method === 'listStories').every((c) => c.context?.bearerToken === token)).toBe(true);
      const [h, p] = token.split('.') as [string, string, string];
      const forged = `${h}.${p}.${'A'.repeat(342)}`;
      expect((await request(gw.server).get('/api/v1/stories').set('authorization', `Bearer ${forged}`)).status).toBe(401);
      const expired = await signAccessToken(gw.identity.key, { expiresInSeconds: -60 });
      const res = await request(gw.server).get('/api/v1/stories').set('authorization', `Bearer ${expired}`);
      expect(res.body.code).toBe('TOKEN_EXPIRED');
    } finally {
      await gw.app.close();
    }
  });
});
