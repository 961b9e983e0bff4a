import { FixedClock, type Keyset } from '@storytelling/kernel';
import { InMemoryUnitOfWork } from '@storytelling/testing';
import {
  NotificationEventTypes,
  type DeliveryRepository,
  type NotificationEvents,
  type NotificationRepositories,
  type NotificationRepository,
  type Preferences,
  type Recipient,
  type RecipientRepository,
  type StoredDelivery,
  type StoredNotification,
} from '../../src/domain/index.js';
import type { EmailMessage, EmailSender, FollowerDirectory, SenderSettings, SmsMessage, SmsSender } from '../../src/application/index.js';

/** An event the in-memory outbox received: what the Sql adapter would append, with its stream version. */
export interface AppendedEvent {
  type: string;
  aggregateId: string;
  version: number;
  data: Record<string, unknown>;
}

export interface Tables {
  recipients: Map<string, Recipient>;
  notifications: Map<string, StoredNotification & { version: number }>;
  deliveries: Map<string, StoredDelivery>;
  outbox: AppendedEvent[];
}

const emptyTables = (): Tables => ({ recipients: new Map(), notifications: new Map(), deliveries: new Map(), outbox: [] });

/** Rows are replaced, never mutated, so copying the maps is enough for a unit's private copy. */
const cloneTables = (t: Tables): Tables => ({
  recipients: new Map(t.recipients),
  notifications: new Map(t.notifications),
  deliveries: new Map(t.deliveries),
  outbox: [...t.outbox],
});

/** Newest first by (createdAt, id), strictly after the keyset: the Sql repositories' order. */
function newestFirst<T extends { createdAt: Date; id: string }>(rows: Iterable<T>, limit: number, after: Keyset | undefined): T[] {
  const key = (r: { createdAt: Date; id: string }) => `${r.createdAt.toISOString()}|${r.id}`;
  const bound = after ? key({ createdAt: after.at, id: after.id }) : undefined;
  return [...rows]
    .filter((r) => bound === undefined || key(r) < bound)
    .sort((a, b) => (key(a) < key(b) ? 1 : -1))
    .slice(0, limit);
}

class Recipients implements RecipientRepository {
  constructor(private readonly t: Tables) {}
  async find(id: string) {
    return this.t.recipients.get(id) ?? null;
  }
  async insert(r: Recipient) {
    if (this.t.recipients.has(r.id)) throw new Error(`duplicate key recipients_pkey (${r.id})`);
    this.t.recipients.set(r.id, r);
  }
  async update(r: Recipient) {
    if (this.t.recipients.has(r.id)) this.t.recipients.set(r.id, r);
  }
  async updatePreferences(id: string, preferences: Preferences) {
    const r = this.t.recipients.get(id);
    if (r) this.t.recipients.set(id, { ...r, preferences });
  }
}

class Notifications implements NotificationRepository {
  constructor(private readonly t: Tables) {}
  async create(n: StoredNotification, deliveries: readonly StoredDelivery[]) {
    if ([...this.t.notifications.values()].some((x) => x.sourceEventId === n.sourceEventId && x.recipientId === n.recipientId)) return false;
    this.t.notifications.set(n.id, { ...n, readAt: null, version: 0 });
    for (const d of deliveries) this.t.deliveries.set(d.id, d);
    return true;
  }
  async find(id: string) {
    const n = this.t.notifications.get(id);
    if (!n) return null;
    const { version: _version, ...stored } = n;
    return stored;
  }
  async listInApp(recipientId: string, limit: number, after: Keyset | undefined, unreadOnly: boolean) {
    const mine = [...this.t.notifications.values()].filter((n) => n.recipientId === recipientId && n.inApp && (!unreadOnly || n.readAt === null));
    return newestFirst(mine, limit, after).map(({ version: _version, ...stored }) => stored);
  }
  async markRead(id: string, recipientId: string, at: Date) {
    const n = this.t.notifications.get(id);
    if (!n || n.recipientId !== recipientId || !n.inApp) return false;
    this.t.notifications.set(id, { ...n, readAt: n.readAt ?? at });
    return true;
  }
  async forgetRecipient(recipientId: string) {
    for (const d of this.t.deliveries.values()) {
      if (d.recipientId === recipientId && (d.status === 'pending' || d.status === 'scheduled')) {
        this.t.deliveries.set(d.id, { ...d, status: 'skipped', lastError: 'recipient deactivated', nextAttemptAt: null });
      }
    }
    for (const n of this.t.notifications.values()) {
      if (n.recipientId === recipientId) this.t.notifications.set(n.id, { ...n, title: null, body: null, data: {} });
    }
  }
  async nextEventVersion(notificationId: string) {
    const n = this.t.notifications.get(notificationId);
    if (!n) throw new Error(`notification ${notificationId} does not exist`);
    this.t.notifications.set(notificationId, { ...n, version: n.version + 1 });
    return n.version + 1;
  }
}

class Deliveries implements DeliveryRepository {
  constructor(private readonly t: Tables) {}
  async claimDue(now: Date, leaseUntil: Date, limit: number) {
    const due = [...this.t.deliveries.values()]
      .filter((d) => (d.status === 'pending' || d.status === 'scheduled') && d.nextAttemptAt !== null && d.nextAttemptAt <= now)
      .sort((a, b) => a.nextAttemptAt!.getTime() - b.nextAttemptAt!.getTime())
      .slice(0, limit)
      .map((d) => ({ ...d, attempts: d.attempts + 1, nextAttemptAt: leaseUntil }));
    for (const d of due) this.t.deliveries.set(d.id, d);
    return due;
  }
  async find(id: string) {
    return this.t.deliveries.get(id) ?? null;
  }
  async markSent(id: string, providerMessageId: string, at: Date) {
    this.set(id, { status: 'sent', providerMessageId, sentAt: at, nextAttemptAt: null, lastError: null });
  }
  async markRetry(id: string, error: string, retryAt: Date) {
    this.set(id, { status: 'pending', lastError: error, nextAttemptAt: retryAt });
  }
  async markFailed(id: string, error: string) {
    this.set(id, { status: 'failed', lastError: error, nextAttemptAt: null });
  }
  async markSkipped(id: string, reason: string) {
    this.set(id, { status: 'skipped', lastError: reason, nextAttemptAt: null });
  }
  async list(filter: { recipientId?: string; sourceEventId?: string }, limit: number, after: Keyset | undefined) {
    const matching = [...this.t.deliveries.values()].filter(
      (d) => (filter.recipientId === undefined || d.recipientId === filter.recipientId) && (filter.sourceEventId === undefined || d.sourceEventId === filter.sourceEventId),
    );
    return newestFirst(matching, limit, after);
  }
  private set(id: string, changes: Partial<StoredDelivery>) {
    const d = this.t.deliveries.get(id);
    if (d) this.t.deliveries.set(id, { ...d, ...changes });
  }
}

class Events implements NotificationEvents {
  constructor(
    private readonly t: Tables,
    private readonly notifications: NotificationRepository,
  ) {}
  async sent(d: StoredDelivery, providerMessageId: string, attempts: number, at: Date) {
    await this.append(NotificationEventTypes.NotificationSent, d, { providerMessageId, attempts, sentAt: at.toISOString() });
  }
  async failed(d: StoredDelivery, error: string, attempts: number, at: Date) {
    await this.append(NotificationEventTypes.NotificationFailed, d, { attempts, error, failedAt: at.toISOString() });
  }
  private async append(type: string, d: StoredDelivery, extra: Record<string, unknown>) {
    const version = await this.notifications.nextEventVersion(d.notificationId);
    const data = { notificationId: d.notificationId, deliveryId: d.id, recipientId: d.recipientId, type: d.type, channel: d.channel, sourceEventId: d.sourceEventId, ...extra };
    this.t.outbox.push({ type, aggregateId: d.notificationId, version, data });
  }
}

function bind(t: Tables): NotificationRepositories {
  const notifications = new Notifications(t);
  return { recipients: new Recipients(t), notifications, deliveries: new Deliveries(t), events: new Events(t, notifications) };
}

/** notification's unit of work over in-memory tables (commit on success, roll back on a throw). */
export type NotificationMemory = InMemoryUnitOfWork<Tables, NotificationRepositories>;

export function inMemoryUnitOfWork(): NotificationMemory {
  return new InMemoryUnitOfWork<Tables, NotificationRepositories>(emptyTables(), cloneTables, bind);
}

export const fixedClock = (iso = '2026-03-10T12:00:00.000Z') => new FixedClock(new Date(iso));

/** A channel port that keeps what it sent, or fails while `down`. */
class RecordingChannel<M> {
  readonly sent: M[] = [];
  down = false;
  constructor(
    private readonly provider: string,
    private readonly providerMessageId: (message: M) => string,
  ) {}
  async send(message: M) {
    if (this.down) throw new Error(`${this.provider} unavailable`);
    this.sent.push(message);
    return { providerMessageId: this.providerMessageId(message) };
  }
}

export class RecordingEmail extends RecordingChannel<EmailMessage> implements EmailSender {
  constructor() {
    super('SMTP relay', (m) => m.messageId);
  }
}

export class RecordingSms extends RecordingChannel<SmsMessage> implements SmsSender {
  constructor() {
    super('SMS provider', (m) => `sms:${m.reference}`);
  }
}

/** story's ListFollowers over a fixed list, in pages; remembers every call. */
export class FixedFollowers implements FollowerDirectory {
  readonly calls: Array<{ authorId: string; cursor: string | undefined; limit: number }> = [];
  failOnPage: number | undefined;
  constructor(readonly byAuthor: Map<string, string[]> = new Map()) {}
  async followers(authorId: string, cursor: string | undefined, limit: number) {
    this.calls.push({ authorId, cursor, limit });
    if (this.failOnPage === this.calls.length) throw new Error('story unavailable');
    const all = this.byAuthor.get(authorId) ?? [];
    const start = cursor ? Number(cursor) : 0;
    const next = start + limit < all.length ? String(start + limit) : undefined;
    return { userIds: all.slice(start, start + limit), ...(next ? { nextCursor: next } : {}) };
  }
}

export const SETTINGS: SenderSettings = { batchSize: 10, leaseMs: 30_000, pollMs: 50, maxAttempts: 3, retryBaseMs: 60_000, retryMaxMs: 3_600_000, followersPageSize: 2 };
