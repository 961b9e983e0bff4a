import type { NoticeContent } from './notice.js';
import { noticeKey } from './notice-key.js';
import { requireUuid } from './recipient.js';

/** What narration tells the owner of a narration, in this context's words: it is ready, or it could not be made (and why). */
export type NarrationNotice = { outcome: 'ready'; narrationId: string; storyId: string } | { outcome: 'failed'; narrationId: string; storyId: string; reason: string };

/** The longest failure reason a notice shows (narration's reasons are short sentences; a longer one is cut). */
export const NARRATION_REASON_LENGTH = 300;

/**
 * The notification a narration notice becomes: `narration_ready` or `narration_failed`, keyed by
 * (outcome, narration) — not by event — so a redelivered or duplicated NarrationGenerated /
 * NarrationFailed notifies once, while a narration that failed and later succeeded tells both.
 * Only ids and the reason are kept (nothing personal). @throws ValidationError (ids that are not UUIDs)
 */
export function narrationNoticeContent(notice: NarrationNotice): NoticeContent {
  const narrationId = requireUuid('narrationId', notice.narrationId);
  const storyId = requireUuid('storyId', notice.storyId);
  if (notice.outcome === 'ready') return { type: 'narration_ready', sourceKey: noticeKey(`narration_ready:${narrationId}`), data: { narrationId, storyId } };
  return { type: 'narration_failed', sourceKey: noticeKey(`narration_failed:${narrationId}`), data: { narrationId, storyId, reason: shortReason(notice.reason) } };
}

/** The reason on one line, at most NARRATION_REASON_LENGTH characters ('' when narration gave none). */
function shortReason(reason: string): string {
  const line = reason.replace(/\s+/g, ' ').trim();
  return line.length <= NARRATION_REASON_LENGTH ? line : `${line.slice(0, NARRATION_REASON_LENGTH - 1).trimEnd()}…`;
}
