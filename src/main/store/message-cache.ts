import type { ChatMessage } from '../../shared/ipc/contract';
import type { LocalDatabase } from './local-database';
import { normalizeTimestamp } from './timestamps';

export type MessageType = ChatMessage['type'];
export type MessageStatus = ChatMessage['status'];

/** A `chat_messages` row as the backend returns it (camelCase of DESIGN §3). */
/** A message as the server stores it: the contract's shape, so the cache, the backend and the renderer agree. */
export type ServerMessage = ChatMessage;

/** Keyset position: messages strictly older than (createdAt, id). */
export interface MessageCursor {
  createdAt: string;
  id: string;
}

interface CachedRow {
  id: string;
  session_id: string;
  sender_id: string;
  type: MessageType;
  body: string | null;
  storage_path: string | null;
  mime_type: string | null;
  size_bytes: number | null;
  duration_ms: number | null;
  waveform: string | null;
  reply_to: string | null;
  status: MessageStatus;
  client_message_id: string | null;
  created_at: string;
  edited_at: string | null;
  reviewed_by: string | null;
  reviewed_at: string | null;
  review_reason: string | null;
}

const UPSERT_SQL = `INSERT INTO cached_messages (id, session_id, sender_id, type, body, storage_path, mime_type, size_bytes,
    duration_ms, waveform, reply_to, status, client_message_id, created_at, edited_at, reviewed_by, reviewed_at, review_reason)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT (id) DO UPDATE SET
    body = excluded.body, storage_path = excluded.storage_path, mime_type = excluded.mime_type, size_bytes = excluded.size_bytes,
    duration_ms = excluded.duration_ms, waveform = excluded.waveform, reply_to = excluded.reply_to, status = excluded.status,
    client_message_id = excluded.client_message_id, edited_at = excluded.edited_at, reviewed_by = excluded.reviewed_by,
    reviewed_at = excluded.reviewed_at, review_reason = excluded.review_reason`;

const PAGE_FIRST_SQL = `SELECT * FROM cached_messages WHERE session_id = ? ORDER BY created_at DESC, id DESC LIMIT ?`;
const PAGE_BEFORE_SQL = `SELECT * FROM cached_messages WHERE session_id = ? AND (created_at, id) < (?, ?)
  ORDER BY created_at DESC, id DESC LIMIT ?`;

export const MAX_PAGE_SIZE = 500;
/** Newest messages kept per session: a day's scroll-back paints from disk, older pages come from the server. */
export const DEFAULT_MESSAGES_PER_SESSION = 2_000;
/** Writes to a session between two trims: trimming on every write would walk the cap's index entries each time. */
const TRIM_EVERY_WRITES = 100;

/** Recent messages per chat session. A session view paints from here, then reconciles with the server from `latestCursor`. */
export class MessageCache {
  private readonly writesSinceTrim = new Map<string, number>();

  constructor(
    private readonly database: LocalDatabase,
    /** At most this many, plus the writes since the session's last trim (under TRIM_EVERY_WRITES), stay on disk per session. */
    readonly maxPerSession: number = DEFAULT_MESSAGES_PER_SESSION,
  ) {
    if (!Number.isInteger(maxPerSession) || maxPerSession < MAX_PAGE_SIZE) {
      throw new RangeError(`The message cache must keep at least ${MAX_PAGE_SIZE} messages per session (one page), got ${maxPerSession}`);
    }
  }

  /** Inserts new server rows and refreshes known ones (status, edits, reviews) in one transaction; then keeps each session within its cap. */
  upsertMessages(messages: readonly ServerMessage[]): void {
    if (messages.length === 0) return;
    const normalized = messages.map(toRowValues);
    const stmt = this.database.statement(UPSERT_SQL);
    this.database.transaction(() => {
      for (const values of normalized) stmt.run(...values);
    });
    for (const m of messages) {
      const writes = (this.writesSinceTrim.get(m.sessionId) ?? 0) + 1;
      if (writes < TRIM_EVERY_WRITES) {
        this.writesSinceTrim.set(m.sessionId, writes);
      } else {
        this.writesSinceTrim.set(m.sessionId, 0);
        this.trimSession(m.sessionId, this.maxPerSession);
      }
    }
  }

  /** Brings every session within the cap: at sign-in, for what earlier runs (or an older version without a cap) left. */
  trimAll(): number {
    this.writesSinceTrim.clear();
    return this.database
      .statement(
        `DELETE FROM cached_messages WHERE id IN (
           SELECT id FROM (SELECT id, row_number() OVER (PARTITION BY session_id ORDER BY created_at DESC, id DESC) AS newest
                           FROM cached_messages) WHERE newest > ?)`,
      )
      .run(this.maxPerSession).changes;
  }

  /** Messages on disk for a session (what the cap bounds). */
  count(sessionId: string): number {
    return this.database.statement<[string], { n: number }>('SELECT count(*) AS n FROM cached_messages WHERE session_id = ?').get(sessionId)?.n ?? 0;
  }

  /** Newest cached message of the session, the point to ask the server for what came after; null when the cache is empty. */
  latestCursor(sessionId: string): MessageCursor | null {
    const row = this.database
      .statement<[string], { created_at: string; id: string }>(
        'SELECT created_at, id FROM cached_messages WHERE session_id = ? ORDER BY created_at DESC, id DESC LIMIT 1',
      )
      .get(sessionId);
    return row ? { createdAt: row.created_at, id: row.id } : null;
  }

  /**
   * Up to `limit` messages older than `cursor` (the newest ones when `cursor` is null), newest first.
   * Keyset paging: the cost depends on `limit`, never on how much history sits before the cursor.
   */
  pageBefore(sessionId: string, cursor: MessageCursor | null, limit: number): ServerMessage[] {
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
      throw new RangeError(`Page size must be an integer from 1 to ${MAX_PAGE_SIZE}, got ${limit}`);
    }
    const rows = cursor
      ? this.database
          .statement<[string, string, string, number], CachedRow>(PAGE_BEFORE_SQL)
          .all(sessionId, normalizeTimestamp(cursor.createdAt), cursor.id, limit)
      : this.database.statement<[string, number], CachedRow>(PAGE_FIRST_SQL).all(sessionId, limit);
    return rows.map(fromRow);
  }

  get(id: string): ServerMessage | null {
    const row = this.database.statement<[string], CachedRow>('SELECT * FROM cached_messages WHERE id = ?').get(id);
    return row ? fromRow(row) : null;
  }

  /** Keeps the newest `keep` messages of a session; older history is fetched from the server on scroll. */
  trimSession(sessionId: string, keep: number): number {
    if (!Number.isInteger(keep) || keep < 1) throw new RangeError(`A session keeps at least one message, got ${keep}`);
    // Everything strictly older than the keep-th newest: one index walk of `keep` entries, then a range delete.
    const boundary = this.database
      .statement<[string, number], { created_at: string; id: string }>(
        'SELECT created_at, id FROM cached_messages WHERE session_id = ? ORDER BY created_at DESC, id DESC LIMIT 1 OFFSET ?',
      )
      .get(sessionId, keep - 1);
    if (!boundary) return 0;
    return this.database
      .statement('DELETE FROM cached_messages WHERE session_id = ? AND (created_at, id) < (?, ?)')
      .run(sessionId, boundary.created_at, boundary.id).changes;
  }

  forgetSession(sessionId: string): number {
    return this.database.statement('DELETE FROM cached_messages WHERE session_id = ?').run(sessionId).changes;
  }
}

function toRowValues(m: ServerMessage): unknown[] {
  return [
    m.id,
    m.sessionId,
    m.senderId,
    m.type,
    m.body,
    m.storagePath,
    m.mimeType,
    m.sizeBytes,
    m.durationMs,
    m.waveform ? JSON.stringify(m.waveform) : null,
    m.replyTo,
    m.status,
    m.clientMessageId,
    normalizeTimestamp(m.createdAt),
    m.editedAt === null ? null : normalizeTimestamp(m.editedAt),
    m.reviewedBy,
    m.reviewedAt === null ? null : normalizeTimestamp(m.reviewedAt),
    m.reviewReason,
  ];
}

function fromRow(r: CachedRow): ServerMessage {
  return {
    id: r.id,
    sessionId: r.session_id,
    senderId: r.sender_id,
    type: r.type,
    body: r.body,
    storagePath: r.storage_path,
    mimeType: r.mime_type,
    sizeBytes: r.size_bytes,
    durationMs: r.duration_ms,
    waveform: r.waveform === null ? null : (JSON.parse(r.waveform) as number[]),
    replyTo: r.reply_to,
    status: r.status,
    clientMessageId: r.client_message_id,
    createdAt: r.created_at,
    editedAt: r.edited_at,
    reviewedBy: r.reviewed_by,
    reviewedAt: r.reviewed_at,
    reviewReason: r.review_reason,
  };
}
