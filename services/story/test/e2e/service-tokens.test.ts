// Service tokens end to end: identity issues them (client credentials), story accepts them where
// a service may call (ListFollowers; GetStory and GetAnalysis of any story not archived) and
// nowhere else; a member token is unchanged.
import { createServiceTokenSource, SERVICE_TOKEN_ROLE } from '@storytelling/platform';
import { serviceTokenSecret } from '@storytelling/testing';
import { as, outcome, registerUser, startStack, type RunningStack, type TestUser } from '../support/app-harness.js';

describe('service tokens (identity issues, story verifies)', () => {
  let stack: RunningStack;
  let eve: TestUser;
  let fan: TestUser;

  beforeAll(async () => {
    stack = await startStack('svctok');
    [eve, fan] = await Promise.all([registerUser(stack, 'Eve'), registerUser(stack, 'Fan')]);
    await stack.client.followAuthor({ authorId: eve.id }, as(fan));
  });
  afterAll(async () => {
    await stack?.close();
  });

  const source = (secret: string, service = 'notification') =>
    createServiceTokenSource({ identityUrl: stack.identity.grpcUrl!, service, secret, deadlineMs: 5000 });

  it('issues an RS256 token for the callee, cached, and story lists any author’s followers with it', async () => {
    const tokens = source(serviceTokenSecret('notification'));
    try {
      const token = await tokens.token('story');
      expect(await tokens.token('story')).toBe(token); // cached
      expect(JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8'))).toMatchObject({ sub: 'service:notification', role: SERVICE_TOKEN_ROLE, aud: 'story' });

      const page = await stack.client.listFollowers({ authorId: eve.id, page: { limit: 10, cursor: '' } }, { metadata: { authorization: `Bearer ${token}` } });
      expect(page.followers.map((f) => f.userId)).toEqual([fan.id]);
      // A service token is not a user: user-facing RPCs refuse it.
      expect(await outcome(stack.client.createStory({ title: 'T', content: 'x' }, { metadata: { authorization: `Bearer ${token}` } }))).toBe(
        'PERMISSION_DENIED:SERVICE_NOT_ALLOWED',
      );
      // Issued for another callee: story does not accept it.
      const forPayments = await tokens.token('payments');
      expect(await outcome(stack.client.listFollowers({ authorId: eve.id }, { metadata: { authorization: `Bearer ${forPayments}` } }))).toBe(
        'UNAUTHENTICATED:INVALID_TOKEN',
      );
    } finally {
      tokens.close();
    }
  });

  it("narration's token reads a draft and its analysis (GetStory, GetAnalysis), not an archived story, and edits nothing", async () => {
    const tokens = source(serviceTokenSecret('narration'), 'narration');
    try {
      const service = { metadata: { authorization: `Bearer ${await tokens.token('story')}` } };
      const draft = (await stack.client.createStory({ title: 'Draft', content: 'Mira kept the lighthouse.' }, as(eve))).story!;
      expect((await stack.client.getStory({ storyId: draft.id }, service)).story).toMatchObject({ id: draft.id, authorId: eve.id, status: 'draft', content: 'Mira kept the lighthouse.' });
      expect((await stack.client.getAnalysis({ storyId: draft.id }, service)).analysis).toMatchObject({ storyId: draft.id, status: 'none' });
      expect(await outcome(stack.client.updateStory({ storyId: draft.id, title: 'Mine now' }, service))).toBe('PERMISSION_DENIED:SERVICE_NOT_ALLOWED');
      expect(await outcome(stack.client.getCharacters({ storyId: draft.id }, service))).toBe('PERMISSION_DENIED:SERVICE_NOT_ALLOWED');
      await stack.client.archiveStory({ storyId: draft.id }, as(eve));
      expect(await outcome(stack.client.getStory({ storyId: draft.id }, service))).toBe('NOT_FOUND:STORY_NOT_FOUND');
      expect(await outcome(stack.client.getAnalysis({ storyId: draft.id }, service))).toBe('NOT_FOUND:STORY_NOT_FOUND');
      // Someone else's draft stays invisible to members.
      expect(await outcome(stack.client.getStory({ storyId: draft.id }, as(fan)))).toBe('NOT_FOUND:STORY_NOT_FOUND');
    } finally {
      tokens.close();
    }
  });

  it('a wrong secret or an unknown service gets no token (UNAUTHENTICATED)', async () => {
    for (const [secret, service] of [
      ['not-the-secret-of-notification', 'notification'],
      [serviceTokenSecret('notification'), 'intruder'],
    ] as const) {
      const tokens = source(secret, service);
      try {
        await expect(tokens.token('story')).rejects.toMatchObject({ kind: 'unauthenticated', code: 'INVALID_SERVICE_CREDENTIALS' });
      } finally {
        tokens.close();
      }
    }
    expect(
      await outcome(stack.identityClient.issueServiceToken({ service: 'notification', secret: serviceTokenSecret('notification'), audience: 'Not A Name' })),
    ).toBe('UNAUTHENTICATED:INVALID_SERVICE_CREDENTIALS');
  });

  it('a member token still lists only its own followers', async () => {
    expect((await stack.client.listFollowers({ authorId: eve.id }, as(eve))).followers).toHaveLength(1);
    expect(await outcome(stack.client.listFollowers({ authorId: eve.id }, as(fan)))).toBe('PERMISSION_DENIED:FOLLOWERS_PRIVATE');
  });
});
