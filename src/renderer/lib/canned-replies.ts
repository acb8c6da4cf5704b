import type { CannedReply } from '../../shared/ipc/contract';
import { isolate, type Language } from '../i18n/format';

/**
 * Canned replies in the composer: where a `/` query is being typed, which replies match it, and the reply's text
 * with its variables filled from the session. React-free, so the tests and the composer share it.
 */

/** The `/query` being typed at the caret: `start` is the slash's index. */
export interface SlashQuery {
  start: number;
  end: number;
  query: string;
}

/** At most this many replies are listed: the filter narrows, the list never scrolls through hundreds. */
export const MAX_LISTED = 8;

/**
 * A slash at the start of the text or after a space, followed by no space up to the caret, opens the list
 * (a URL's or a date's slash does not: it follows a letter or a digit).
 */
export function slashQueryAt(text: string, caret: number): SlashQuery | null {
  if (caret < 1 || caret > text.length) return null;
  const before = text.slice(0, caret);
  const start = before.lastIndexOf('/');
  if (start < 0) return null;
  if (start > 0 && !/\s/.test(before[start - 1]!)) return null;
  const query = before.slice(start + 1);
  if (/[\s/]/.test(query) || query.length > 32) return null;
  return { start, end: caret, query };
}

const fold = (text: string) =>
  text
    .normalize('NFKD')
    // Latin accents and Arabic diacritics (harakat, tatweel) do not separate what the user types from the reply.
    .replace(/[\u0300-\u036f\u064b-\u065f\u0670\u0640]/g, '')
    .replace(/[أإآٱ]/g, 'ا')
    .replace(/ى/g, 'ي')
    .replace(/ة/g, 'ه')
    .toLocaleLowerCase();

/**
 * The replies matching the query: shortcuts that start with it first, then titles and bodies that contain it; the
 * user's language before the other one, their own before shared ones at equal rank, then by shortcut.
 */
export function filterReplies(replies: readonly CannedReply[], query: string, language: Language): CannedReply[] {
  const q = fold(query);
  const ranked: { reply: CannedReply; rank: number }[] = [];
  for (const reply of replies) {
    const shortcut = fold(reply.shortcut);
    let rank: number;
    if (shortcut.startsWith(q)) rank = 0;
    else if (fold(reply.title).includes(q)) rank = 1;
    else if (fold(reply.body).includes(q)) rank = 2;
    else continue;
    ranked.push({ reply, rank: rank * 4 + (reply.language === language ? 0 : 2) + (reply.shared ? 1 : 0) });
  }
  return ranked
    .sort((a, b) => a.rank - b.rank || a.reply.shortcut.localeCompare(b.reply.shortcut) || a.reply.id.localeCompare(b.reply.id))
    .slice(0, MAX_LISTED)
    .map((r) => r.reply);
}

export interface ReplyVariables {
  clientName: string | null;
  readerName: string | null;
  /** The date as the user reads it (their language's format). */
  date: string;
}

export const VARIABLES = ['client_name', 'reader_name', 'date'] as const;

/**
 * The body with {client_name}, {reader_name} and {date} filled. Names are wrapped in first-strong isolates, so an
 * Arabic name in an English sentence (or the reverse) keeps the punctuation around it in place. A name the session
 * does not have is left as its placeholder for the user to see and replace, never silently dropped.
 */
export function fillVariables(body: string, variables: ReplyVariables): string {
  return body.replace(/\{(client_name|reader_name|date)\}/g, (whole, name: (typeof VARIABLES)[number]) => {
    if (name === 'date') return variables.date;
    const value = name === 'client_name' ? variables.clientName : variables.readerName;
    return value && value.trim() !== '' ? isolate(value.trim()) : whole;
  });
}

/** Today's date in the user's language, as {date} shows it. */
export function formatReplyDate(now: Date, locale: string): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: 'long' }).format(now);
}

/** The text with the `/query` replaced by the reply; the caret goes after it. */
export function insertReply(text: string, slash: SlashQuery, filled: string): { text: string; caret: number } {
  const next = text.slice(0, slash.start) + filled + text.slice(slash.end);
  return { text: next, caret: slash.start + filled.length };
}
