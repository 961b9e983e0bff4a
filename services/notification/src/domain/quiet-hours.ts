import { ValidationError, type FieldError } from '@storytelling/kernel';

/** Non-urgent messages wait while the recipient's local time is in [start, end). */
export interface QuietHours {
  start: string;
  end: string;
  timeZone: string;
}

const HH_MM = /^([01]\d|2[0-3]):([0-5]\d)$/;

export function isValidTimeZone(zone: string): boolean {
  if (zone.trim() === '') return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export function quietHoursProblems(q: QuietHours, field = 'quietHours'): FieldError[] {
  const problems: FieldError[] = [];
  if (!HH_MM.test(q.start)) problems.push({ field: `${field}.start`, message: 'must be HH:MM (24-hour)' });
  if (!HH_MM.test(q.end)) problems.push({ field: `${field}.end`, message: 'must be HH:MM (24-hour)' });
  if (HH_MM.test(q.start) && q.start === q.end) problems.push({ field: `${field}.end`, message: 'must differ from start' });
  if (!isValidTimeZone(q.timeZone)) problems.push({ field: `${field}.timeZone`, message: 'must be an IANA time zone, e.g. Europe/Madrid' });
  return problems;
}

export function assertQuietHours(q: QuietHours): QuietHours {
  const problems = quietHoursProblems(q);
  if (problems.length > 0) throw new ValidationError('invalid quiet hours', problems);
  return q;
}

function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return h! * 60 + m!;
}

/** Minutes since local midnight of `at` in `timeZone`. */
function localMinutes(at: Date, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(at);
  const hour = Number(parts.find((p) => p.type === 'hour')?.value ?? 0);
  const minute = Number(parts.find((p) => p.type === 'minute')?.value ?? 0);
  return hour * 60 + minute;
}

/**
 * When a non-urgent message may go out: `at` itself outside quiet hours, otherwise the instant
 * the quiet period ends (start of its end minute). Windows may wrap midnight (22:00–07:00).
 * Computed as "minutes until end" on the local clock, so a DST change inside the window shifts
 * the release by that hour at most (documented in docs/notification.md).
 */
export function releaseTime(at: Date, quiet: QuietHours | null): Date {
  if (!quiet) return at;
  const now = localMinutes(at, quiet.timeZone);
  const start = minutesOf(quiet.start);
  const end = minutesOf(quiet.end);
  const inside = start < end ? now >= start && now < end : now >= start || now < end;
  if (!inside) return at;
  const wait = (end - now + 1440) % 1440;
  const released = new Date(at.getTime() + wait * 60_000);
  released.setUTCSeconds(0, 0);
  return released;
}
