import { sessionSchema, type ChatSession } from '../../shared/ipc/contract';
import { SESSION_LIST_MAX } from '../../shared/ipc/list-limits';
import type { LocalDatabase } from './local-database';
import { normalizeTimestamp } from './timestamps';

/** The cache keeps as many rows as a list holds, the newest by activity. */
export const DEFAULT_CACHED_SESSIONS = SESSION_LIST_MAX;

/**
 * The user's session list as the console last showed it, so the next start draws it at once and the backend's list
 * replaces it when it answers (the store is per user: nobody else's list is ever read here). It is only ever a first
 * picture: a row that no longer parses as the contract's session row (written by another version) drops the whole
 * cached list rather than showing part of it.
 */
export class SessionListCache {
  constructor(
    private readonly database: LocalDatabase,
    private readonly maxRows: number = DEFAULT_CACHED_SESSIONS,
  ) {
    if (!Number.isInteger(maxRows) || maxRows < 1) throw new RangeError(`The cached session list needs a cap of at least one row, got ${String(maxRows)}.`);
  }

  /** The cached rows in the list's order; empty when nothing is cached or the cache is unreadable. */
  list(): ChatSession[] {
    const rows = this.database.statement<[], { row: string }>('SELECT row FROM cached_sessions ORDER BY position').all();
    const sessions: ChatSession[] = [];
    for (const { row } of rows) {
      let parsed;
      try {
        parsed = sessionSchema.safeParse(JSON.parse(row));
      } catch {
        parsed = null;
      }
      if (!parsed?.success) {
        this.clear();
        return [];
      }
      sessions.push(parsed.data);
    }
    return sessions;
  }

  /**
   * Keeps these rows as the list (whatever was cached before goes): one per session, sorted in the list's order, the
   * newest `maxRows` of them, in one transaction (one commit, however many rows).
   */
  replace(sessions: Iterable<ChatSession>): void {
    // One row per session (the later one wins): no session is ever listed twice.
    const byId = new Map<string, ChatSession>();
    for (const session of sessions) byId.set(session.id, session);
    // list_sessions' order: latest activity first, then id, descending. Each key is made once (a staff console can
    // hold thousands of rows), in the store's timestamp shape, whose text order is time order.
    const keyed = [...byId.values()].map((session) => ({ session, at: normalizeTimestamp(session.lastMessageAt ?? session.createdAt) }));
    keyed.sort((a, b) => (a.at !== b.at ? (a.at < b.at ? 1 : -1) : a.session.id < b.session.id ? 1 : a.session.id > b.session.id ? -1 : 0));
    const kept = keyed.slice(0, this.maxRows).map(({ session }) => session);
    const insert = this.database.statement<[string, number, string]>('INSERT INTO cached_sessions (id, position, row) VALUES (?, ?, ?)');
    this.database.transaction(() => {
      this.database.statement('DELETE FROM cached_sessions').run();
      kept.forEach((session, position) => insert.run(session.id, position, JSON.stringify(session)));
    });
  }

  clear(): void {
    this.database.statement('DELETE FROM cached_sessions').run();
  }
}
