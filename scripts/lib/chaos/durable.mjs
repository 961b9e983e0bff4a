// Every accepted request's result, re-read through the gateway once the fleet is quiet. Each
// kind gives checked / missing; the missing ones are listed (id and what differed).
import { withDb } from './verify.mjs';

/**
 * @param {import('./client.mjs').GatewayClient} c @param {import('./workload.mjs').Workload} w @param {string} dbUrl
 * @returns {Promise<{ results: { kind: string, checked: number, missing: number }[], problems: string[] }>}
 */
export async function checkDurable(c, w, dbUrl) {
  /** @type {Map<string, { kind: string, checked: number, missing: number }>} */
  const results = new Map();
  /** @type {string[]} */
  const problems = [];
  /** @param {string} kind @param {string | null} problem */
  const record = (kind, problem) => {
    let r = results.get(kind);
    if (!r) results.set(kind, (r = { kind, checked: 0, missing: 0 }));
    r.checked++;
    if (problem) {
      r.missing++;
      problems.push(`${kind}: ${problem}`);
    }
  };
  // A re-read that meets a busy or unreachable dependency (503, 504, no answer) says nothing about
  // durability: it is asked again, a few times, before the result counts as missing.
  /** @param {string} method @param {string} path @param {Parameters<typeof c.call>[2]} [options] */
  const reread = async (method, path, options) => {
    let a = await c.call(method, path, options);
    for (let attempt = 1; attempt < 8 && (a.status === 0 || a.status === 502 || a.status === 503 || a.status === 504); attempt++) {
      await new Promise((r) => setTimeout(r, 1500 * attempt));
      a = await c.call(method, path, options);
    }
    return a;
  };
  /** @template T @param {T[]} items @param {(item: T) => Promise<void>} fn */
  const each = async (items, fn, concurrency = 4) => {
    let next = 0;
    await Promise.all(Array.from({ length: concurrency }, async () => {
      while (next < items.length) await fn(items[next++]);
    }));
  };

  await each(w.users, async (u) => {
    const a = await reread('POST', '/auth/login', { body: { email: u.email, password: u.password } });
    record('register', a.status === 200 && a.body.user.id === u.id ? null : `${u.id} cannot log in (${a.status})`);
    if (a.status === 200) u.token = a.body.accessToken;
  }, 1); // argon2id is CPU-bound: one login at a time (4 at once overran identity's 5 s deadline on 2 cores)
  await each(w.stories, async (s) => {
    const a = await reread('GET', `/stories/${s.id}`, { token: s.author.token });
    // The version may have moved on without an update: an analysis also advances the story.
    const ok = a.status === 200 && a.body.title === s.title && a.body.version >= s.version;
    record('story (create/update)', ok ? null : `${s.id} answered ${a.status} title ${JSON.stringify(a.body?.title)} v${a.body?.version}, expected ${JSON.stringify(s.title)} v${s.version}`);
  });
  await each(w.stories.filter((s) => s.analysisRequested), async (s) => {
    const a = await reread('GET', `/stories/${s.id}/analysis`, { token: s.author.token });
    record('analysis', a.status === 200 && a.body.status === 'analyzed' ? null : `${s.id} analysis ${a.status} ${a.body?.status ?? a.body?.code}`);
  });
  await each(w.users.filter((u) => u.upgrade?.accepted), async (u) => {
    const a = await reread('GET', '/subscription', { token: u.token });
    const paid = u.upgrade?.token === 'tok_visa';
    const ok = a.status === 200 && (paid ? a.body.tier === 'silver' && a.body.status === 'active' && a.body.pendingChange === null : a.body.tier === 'free' && a.body.pendingChange?.status === 'payment_failed');
    record(paid ? 'upgrade (paid)' : 'upgrade (declined)', ok ? null : `${u.id} subscription ${a.status} tier ${a.body?.tier} status ${a.body?.status} pending ${JSON.stringify(a.body?.pendingChange?.status ?? null)}`);
  });
  // Followers as each author sees them (paged).
  /** @type {Map<string, Set<string>>} */
  const expectedFollowers = new Map();
  for (const u of w.users) for (const authorId of u.follows) if (u.uncertainFollow !== authorId) expectedFollowers.set(authorId, (expectedFollowers.get(authorId) ?? new Set()).add(u.id));
  const byId = new Map(w.users.map((u) => [u.id, u]));
  await each([...expectedFollowers], async ([authorId, followers]) => {
    const author = byId.get(authorId);
    /** @type {Set<string>} */
    const seen = new Set();
    let cursor = '';
    for (let page = 0; page < 50; page++) {
      const a = await reread('GET', `/authors/${authorId}/followers?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { token: author?.token });
      if (a.status !== 200) break;
      for (const f of a.body.items) seen.add(f.id ?? f.userId ?? f.followerId);
      if (!a.body.nextCursor) break;
      cursor = a.body.nextCursor;
    }
    for (const f of followers) record('follow', seen.has(f) ? null : `${f} → ${authorId} missing`);
  });
  await each(w.users.filter((u) => u.prefs), async (u) => {
    const a = await reread('GET', '/notification-preferences', { token: u.token });
    const p = u.prefs;
    const ok = a.status === 200 && a.body.email === p.email && a.body.sms === p.sms && a.body.inApp === p.inApp && JSON.stringify(a.body.mutedTypes) === JSON.stringify(p.mutedTypes);
    record('preferences', ok ? null : `${u.id} preferences ${a.status} ${JSON.stringify(a.body)} expected ${JSON.stringify(p)}`);
  });
  await each(w.users.flatMap((u) => u.voices.map((id) => ({ u, id }))), async ({ u, id }) => {
    const a = await reread('GET', `/voices/${id}`, { token: u.token });
    record('voice', a.status === 200 ? null : `${id} voice ${a.status}`);
  });
  await each(w.narrations, async ({ id, owner }) => {
    const a = await reread('GET', `/narrations/${id}`, { token: owner.token });
    record('narration', a.status === 200 && a.body.status === 'completed' ? null : `${id} narration ${a.status} ${a.body?.status ?? a.body?.code} ${a.body?.failureReason ?? ''}`);
  });
  // Read marks: by the database (the in-app list pages newest first; a read one may be far down).
  await withDb(dbUrl, async (db) => {
    for (const m of w.readMarks) {
      const r = await db.query('SELECT read_at FROM notification.notifications WHERE id = $1', [m.id]);
      record('notification read', r.rows[0]?.read_at ? null : `${m.id} not marked read`);
    }
  });
  // Requests refused without a clear answer (no answer, 5xx): how many took effect anyway. Not a
  // loss, but a client told "failed" about something that happened.
  const applied = await withDb(dbUrl, async (db) => {
    const u = w.unknown;
    const one = async (/** @type {string} */ sql, /** @type {unknown[]} */ params) => (await db.query(sql, params)).rows[0].n;
    return [
      { kind: 'register', refused: u.register.length, applied: await one('SELECT count(*)::int AS n FROM identity.users WHERE email = ANY($1)', [u.register]) },
      { kind: 'createStory', refused: u.createStory.length, applied: await one('SELECT count(*)::int AS n FROM story.stories WHERE title = ANY($1)', [u.createStory]) },
      {
        kind: 'follow',
        refused: u.follow.length,
        applied: await one('SELECT count(*)::int AS n FROM story.story_followers f JOIN unnest($1::uuid[], $2::uuid[]) AS x(follower, author) ON f.follower_id = x.follower AND f.author_id = x.author', [u.follow.map((p) => p[0]), u.follow.map((p) => p[1])]),
      },
      { kind: 'upgrade', refused: u.upgrade.length, applied: await one(`SELECT count(DISTINCT user_id)::int AS n FROM payments.payments WHERE user_id = ANY($1::uuid[])`, [u.upgrade]) },
    ];
  });
  return { results: [...results.values()], problems, applied };
}
