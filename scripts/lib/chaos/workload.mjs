// The chaos workload: N mixed operations through the gateway (API.md) by a few concurrent
// workers. Every operation is counted by kind and outcome; every accepted one (2xx) records what
// must be durable afterwards in the model, which verify.mjs re-reads once the fleet is quiet.
import { setTimeout as sleep } from 'node:timers/promises';

export const STOCK_VOICE_ID = '00000000-0000-7000-8000-000000000001';

/** Relative weights: narration is CPU-heavy (Piper), so it stays a small share. */
export const MIX = {
  register: 10,
  login: 6,
  createStory: 14,
  updateStory: 12,
  readStory: 7,
  analysis: 8,
  upgrade: 7,
  follow: 11,
  unfollow: 2,
  notifications: 7,
  readNotification: 3,
  preferences: 4,
  subscription: 3,
  createVoice: 3,
  narration: 2,
};

const SENTENCES = [
  'Mira climbed the lighthouse stairs at dusk.',
  'The sea was calm, and she was glad.',
  '"Who is there?" she whispered, afraid of the dark.',
  'Old Tom laughed and lit the lamp.',
  'The storm came at midnight, furious and loud.',
  'By morning the boats were safe, and everyone cheered.',
];

/** A deterministic pseudo-random source, so a run can be repeated (CHAOS_SEED). @param {number} seed */
export function random(seed) {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4294967296;
  };
}

/**
 * @typedef {{ id: string, email: string, password: string, token: string, tier: string, upgrade: null | { token: string, accepted: boolean }, stories: number, busy: boolean, prefs: any, follows: Set<string>, voices: string[] }} User
 * @typedef {{ id: string, author: User, title: string, content: string, version: number, analysisRequested: boolean, busy: boolean, narrated: boolean }} Story
 */

export class Workload {
  /** @param {import('./client.mjs').GatewayClient} client @param {{ operations: number, concurrency: number, seed: number, pace: number }} options */
  constructor(client, options) {
    this.client = client;
    this.options = options;
    this.rand = random(options.seed);
    /** @type {User[]} */
    this.users = [];
    /** @type {Story[]} */
    this.stories = [];
    /** narration ids accepted, with their owner @type {{ id: string, owner: User }[]} */
    this.narrations = [];
    /** notifications marked read @type {{ id: string, user: User }[]} */
    this.readMarks = [];
    /** @type {Map<string, { accepted: number, refused: Map<string, number> }>} */
    this.tally = new Map();
    /** requests refused with an unknown outcome (no answer, 5xx): did they take effect anyway? */
    this.unknown = { register: /** @type {string[]} */ ([]), createStory: /** @type {string[]} */ ([]), follow: /** @type {[string, string][]} */ ([]), upgrade: /** @type {string[]} */ ([]) };
    this.done = 0;
    this.started = 0;
  }

  /** @template T @param {T[]} list @returns {T | undefined} */
  pick(list) {
    return list.length ? list[Math.floor(this.rand() * list.length)] : undefined;
  }

  /** The answer tells nothing about the outcome: no answer, or a 5xx (a dependency timed out). @param {import('./client.mjs').Answer} a */
  static unknownOutcome(a) {
    return a.status === 0 || a.status >= 500;
  }

  /** @param {string} kind @param {import('./client.mjs').Answer} answer */
  count(kind, answer) {
    let entry = this.tally.get(kind);
    if (!entry) this.tally.set(kind, (entry = { accepted: 0, refused: new Map() }));
    const ok = answer.status >= 200 && answer.status < 300;
    if (ok) entry.accepted++;
    else {
      const why = answer.status === 0 ? 'network' : `${answer.status}${answer.body?.code ? ` ${answer.body.code}` : ''}`;
      entry.refused.set(why, (entry.refused.get(why) ?? 0) + 1);
    }
    return ok;
  }

  chooseKind() {
    const entries = Object.entries(MIX);
    const total = entries.reduce((s, [, w]) => s + w, 0);
    let r = this.rand() * total;
    for (const [kind, weight] of entries) {
      r -= weight;
      if (r < 0) return kind;
    }
    return 'register';
  }

  freeUser() {
    const candidates = this.users.filter((u) => !u.busy);
    return this.pick(candidates);
  }

  /** Runs one operation; returns false when its preconditions are not met (another kind is tried). @param {string} kind */
  async operate(kind) {
    const c = this.client;
    const r = this.rand;
    switch (kind) {
      case 'register': {
        const n = this.users.length + Math.floor(r() * 1e9);
        const email = `chaos.${n}.${Date.now().toString(36)}@example.test`;
        const password = `pw-${n}-chaos-long`;
        const a = await c.call('POST', '/auth/register', { body: { email, password, displayName: `Chaos ${n}` } });
        if (this.count(kind, a)) {
          this.users.push({ id: a.body.user.id, email, password, token: a.body.accessToken, tier: 'free', upgrade: null, stories: 0, busy: false, prefs: null, follows: new Set(), voices: [] });
        } else if (Workload.unknownOutcome(a)) this.unknown.register.push(email);
        return true;
      }
      case 'login': {
        const u = this.pick(this.users);
        if (!u) return false;
        const a = await c.call('POST', '/auth/login', { body: { email: u.email, password: u.password } });
        if (this.count(kind, a)) u.token = a.body.accessToken;
        return true;
      }
      case 'createStory': {
        // Free tier: 3 stories a month; silver: 10. Past that the answer is 422 QUOTA_EXCEEDED (counted, not chosen on purpose).
        const u = this.pick(this.users.filter((x) => x.stories < (x.tier === 'silver' ? 10 : 3)));
        if (!u) return false;
        const count = 1 + Math.floor(r() * 3);
        const content = Array.from({ length: count }, () => this.pick(SENTENCES)).join(' ');
        const title = `Chaos tale ${Math.floor(r() * 1e6)}`;
        u.stories++;
        const a = await c.call('POST', '/stories', { token: u.token, body: { title, content }, idempotent: true });
        if (this.count(kind, a)) this.stories.push({ id: a.body.id, author: u, title, content, version: a.body.version, analysisRequested: false, busy: false, narrated: false });
        else if (Workload.unknownOutcome(a)) this.unknown.createStory.push(title);
        return true;
      }
      case 'updateStory': {
        const s = this.pick(this.stories.filter((x) => !x.busy));
        if (!s) return false;
        s.busy = true;
        try {
          const title = `Chaos tale ${Math.floor(r() * 1e6)} (rev)`;
          // Content changes only before an analysis is asked for (a content edit returns an analysed story to draft).
          const content = s.analysisRequested ? undefined : `${s.content} ${this.pick(SENTENCES)}`;
          const a = await c.call('PATCH', `/stories/${s.id}`, { token: s.author.token, body: { title, ...(content ? { content } : {}) }, headers: { 'if-match': `"${s.version}"` } });
          if (this.count(kind, a)) {
            s.title = title;
            if (content) s.content = content;
            s.version = a.body.version;
          } else if (a.status === 412 || a.status === 0 || a.status >= 500) {
            // The update may or may not have applied (a lost answer): learn the current state again.
            const fresh = await c.call('GET', `/stories/${s.id}`, { token: s.author.token });
            if (fresh.status === 200) Object.assign(s, { title: fresh.body.title, content: fresh.body.content, version: fresh.body.version });
          }
        } finally {
          s.busy = false;
        }
        return true;
      }
      case 'readStory': {
        const s = this.pick(this.stories);
        if (!s) return false;
        this.count(kind, await c.call('GET', `/stories/${s.id}`, { token: s.author.token }));
        return true;
      }
      case 'analysis': {
        const s = this.pick(this.stories.filter((x) => !x.analysisRequested && !x.busy));
        if (!s) return false;
        s.busy = true;
        const a = await c.call('POST', `/stories/${s.id}/analysis`, { token: s.author.token, body: {} });
        if (this.count(kind, a)) s.analysisRequested = true;
        s.busy = false;
        return true;
      }
      case 'upgrade': {
        const u = this.pick(this.users.filter((x) => !x.upgrade && !x.busy));
        if (!u) return false;
        // One in five is declined by the sandbox: a failed payment must be as durable as a good one.
        const token = r() < 0.2 ? 'tok_chargeDeclined' : 'tok_visa';
        u.busy = true;
        u.upgrade = { token, accepted: false };
        const a = await c.call('POST', '/subscription', { token: u.token, body: { tierId: 'silver', billingCycle: 'monthly', paymentMethod: { token } }, idempotent: true });
        if (this.count(kind, a)) u.upgrade.accepted = true;
        else if (Workload.unknownOutcome(a)) this.unknown.upgrade.push(u.id);
        u.busy = false;
        return true;
      }
      case 'follow': {
        const u = this.pick(this.users);
        const author = this.pick(this.users.filter((x) => x !== u && !u?.follows.has(x.id)));
        if (!u || !author) return false;
        u.follows.add(author.id); // optimistic: taken back when refused
        const a = await c.call('POST', `/authors/${author.id}/follow`, { token: u.token, body: {} });
        if (!this.count(kind, a)) {
          u.follows.delete(author.id);
          if (Workload.unknownOutcome(a)) this.unknown.follow.push([u.id, author.id]);
        }
        return true;
      }
      case 'unfollow': {
        const u = this.pick(this.users.filter((x) => x.follows.size > 0));
        if (!u) return false;
        const authorId = /** @type {string} */ (this.pick([...u.follows]));
        u.follows.delete(authorId);
        const a = await c.call('DELETE', `/authors/${authorId}/follow`, { token: u.token });
        if (!this.count(kind, a) && a.status !== 0 && a.status < 500) u.follows.add(authorId);
        else if (!(a.status >= 200 && a.status < 300)) u.uncertainFollow = authorId; // unknown outcome: not checked
        return true;
      }
      case 'notifications': {
        const u = this.pick(this.users);
        if (!u) return false;
        this.count(kind, await c.call('GET', '/notifications?limit=20', { token: u.token }));
        return true;
      }
      case 'readNotification': {
        const u = this.pick(this.users);
        if (!u) return false;
        const list = await c.call('GET', '/notifications?unread=true&limit=5', { token: u.token });
        const n = list.status === 200 ? list.body.items[0] : undefined;
        if (!n) return false;
        const a = await c.call('POST', `/notifications/${n.id}/read`, { token: u.token, body: {} });
        if (this.count(kind, a)) this.readMarks.push({ id: n.id, user: u });
        return true;
      }
      case 'preferences': {
        const u = this.freeUser();
        if (!u) return false;
        u.busy = true;
        const prefs = { email: r() < 0.5, sms: false, inApp: true, mutedTypes: r() < 0.3 ? ['welcome'] : [] };
        const a = await c.call('PUT', '/notification-preferences', { token: u.token, body: prefs });
        if (this.count(kind, a)) u.prefs = prefs;
        else if (a.status === 0 || a.status >= 500) u.prefs = null; // unknown outcome
        u.busy = false;
        return true;
      }
      case 'subscription': {
        const u = this.pick(this.users);
        if (!u) return false;
        this.count(kind, await c.call('GET', '/subscription', { token: u.token }));
        return true;
      }
      case 'createVoice': {
        const u = this.pick(this.users);
        if (!u) return false;
        const a = await c.call('POST', '/voices', { token: u.token, body: { name: `Voice ${Math.floor(r() * 1e4)}` }, idempotent: true });
        if (this.count(kind, a)) u.voices.push(a.body.id);
        return true;
      }
      case 'narration': {
        const s = this.pick(this.stories.filter((x) => x.analysisRequested && !x.narrated && !x.busy));
        if (!s) return false;
        const analysis = await c.call('GET', `/stories/${s.id}/analysis`, { token: s.author.token });
        if (analysis.status !== 200 || analysis.body.status !== 'analyzed') return false;
        s.narrated = true;
        const a = await c.call('POST', `/stories/${s.id}/narrations`, { token: s.author.token, body: { voiceId: STOCK_VOICE_ID }, idempotent: true });
        if (this.count(kind, a)) this.narrations.push({ id: a.body.id, owner: s.author });
        return true;
      }
      default:
        throw new Error(`unknown operation ${kind}`);
    }
  }

  /** Runs the workload; onProgress is called after each operation (the chaos schedule hooks in). */
  async run() {
    const { operations, concurrency, pace } = this.options;
    const worker = async () => {
      while (this.started < operations) {
        this.started++;
        const began = Date.now();
        // The first operations register users, so that every other kind has someone to act for.
        let kind = this.users.length < 8 ? 'register' : this.chooseKind();
        for (let tries = 0; !(await this.operate(kind)); tries++) kind = tries < 3 ? this.chooseKind() : 'register';
        this.done++;
        const wait = pace - (Date.now() - began);
        if (wait > 0) await sleep(wait);
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
  }
}
