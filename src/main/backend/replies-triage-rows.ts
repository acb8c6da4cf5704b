import type { CannedReply, DoNotDisturb, SessionTriage } from '../../shared/ipc/contract';
import { isoTimestamp } from './row-mapping';

// Rows of the canned-reply and triage RPCs (snake_case, through PostgREST) as the contract's shapes.

type Row = Record<string, unknown>;

const text = (value: unknown, field: string): string => {
  if (typeof value !== 'string') throw new TypeError(`Backend row: ${field} must be text, got ${JSON.stringify(value)}.`);
  return value;
};

export function toCannedReply(row: Row): CannedReply {
  const language = text(row.language, 'canned_replies.language');
  if (language !== 'ar' && language !== 'en') throw new TypeError(`Backend row: unknown language ${JSON.stringify(language)}.`);
  return {
    id: text(row.id, 'canned_replies.id'),
    shared: row.owner_id === null || row.owner_id === undefined,
    language,
    shortcut: text(row.shortcut, 'canned_replies.shortcut'),
    title: text(row.title, 'canned_replies.title'),
    body: text(row.body, 'canned_replies.body'),
    updatedAt: isoTimestamp(row.updated_at) ?? '',
  };
}

export function toSessionTriage(row: Row): SessionTriage {
  return {
    sessionId: text(row.session_id, 'session_triage.session_id'),
    muted: row.muted === true,
    markedUnread: row.marked_unread === true,
    snoozedUntil: isoTimestamp(row.snoozed_until),
    snoozedUntilReply: row.snoozed_until_reply === true,
  };
}

/** Postgres `time` ("22:00:00") as the contract's wall clock ("22:00"). */
const wallClock = (value: unknown): string => text(value, 'do_not_disturb time').slice(0, 5);

export function toDoNotDisturb(row: Row | undefined): DoNotDisturb {
  if (!row) return { manual: false, until: null, schedule: null };
  const hasSchedule = row.schedule_start !== null && row.schedule_start !== undefined;
  return {
    manual: row.manual === true,
    until: isoTimestamp(row.until),
    schedule: hasSchedule
      ? { start: wallClock(row.schedule_start), end: wallClock(row.schedule_end), timeZone: text(row.time_zone, 'do_not_disturb.time_zone') }
      : null,
  };
}
