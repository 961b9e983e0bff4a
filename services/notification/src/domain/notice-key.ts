import { createHash } from 'node:crypto';

/** Namespace of the name-based (v5) UUIDs below; fixed forever (changing it would re-send every keyed notice). */
const NOTICE_KEY_NAMESPACE = Buffer.from('6f1c2d8e4b7a4e0f9a3c5d2b1e8f7a60', 'hex');

/**
 * The source key of a notice that is keyed by what it is about rather than by the event that
 * brought it (one quota notice per period, one narration notice per narration and outcome). Used
 * as the notification's source key, so the existing unique (source, recipient[, channel])
 * constraints drop the repeats in the consumer's transaction — no extra table, no race between
 * replicas. A name-based UUID (RFC 9562 v5): the same name always gives the same key; every
 * caller starts its name with its notification type, so names of different notices never meet.
 */
export function noticeKey(name: string): string {
  const hash = createHash('sha1').update(NOTICE_KEY_NAMESPACE).update(name).digest();
  const b = Buffer.from(hash.subarray(0, 16));
  b[6] = (b[6]! & 0x0f) | 0x50;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const hex = b.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
