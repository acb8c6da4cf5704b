/**
 * A stand-in "server" for outbox tests: a SEPARATE better-sqlite3 database
 * that behaves like the backend's send_message / review_audio RPCs where the
 * outbox depends on it:
 * - send is idempotent on (sender_id, client_message_id), enforced by a UNIQUE
 *   constraint, and a repeated send returns the ORIGINAL row (same id);
 * - uploads are keyed by (session, client_message_id) and overwrite;
 * - review decisions follow first-wins, and a repeat of the decision the same
 *   reviewer already applied answers "applied".
 * The crash test (run.ts) no longer uses it: it delivers to the real embedded
 * backend. It stays for the outbox's unit tests (tests/unit/outbox/), which
 * drive the outbox with a manual clock and need a synchronous, in-process
 * server; the same guarantees are checked against the real backend by
 * `npm run test:crash` and `npm run test:fault`. Everything here is real
 * SQLite on a real file, synchronous=FULL.
 */
import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { OutboxTransport, ReviewAudioRequest, ReviewAudioResult, SendMessageRequest } from '../../src/main/outbox';
import { OutboxTransportError } from '../../src/main/outbox';
import type { ServerMessage } from '../../src/main/store';

interface ServerRow {
  seq: number;
  id: string;
  sender_id: string;
  session_id: string;
  client_message_id: string;
  type: ServerMessage['type'];
  body: string | null;
  storage_path: string | null;
  mime_type: string | null;
  size_bytes: number | null;
  duration_ms: number | null;
  waveform: string | null;
  reply_to: string | null;
  status: ServerMessage['status'];
  created_at: string;
}

export class SqliteDeliverySink {
  readonly db: Database.Database;
  /** Calls of sendMessage that found their message already stored (re-sends after a crash or a lost answer). */
  idempotentReplays = 0;

  constructor(path: string) {
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS messages (
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        sender_id TEXT NOT NULL,
        session_id TEXT NOT NULL,
        client_message_id TEXT NOT NULL,
        type TEXT NOT NULL,
        body TEXT,
        storage_path TEXT,
        mime_type TEXT,
        size_bytes INTEGER,
        duration_ms INTEGER,
        waveform TEXT,
        reply_to TEXT,
        status TEXT NOT NULL,
        created_at TEXT NOT NULL,
        UNIQUE (sender_id, client_message_id)
      );
      CREATE TABLE IF NOT EXISTS objects (
        storage_path TEXT PRIMARY KEY,
        bytes BLOB NOT NULL
      );
      CREATE TABLE IF NOT EXISTS voice_notes (
        message_id TEXT PRIMARY KEY,
        status TEXT NOT NULL CHECK (status IN ('pending_approval', 'approved', 'rejected')),
        reviewed_by TEXT,
        reviewed_at TEXT,
        review_reason TEXT
      );
    `);
  }

  /** The transport one signed-in user's outbox talks to. */
  transportFor(senderId: string, options: { afterInsert?: () => void | Promise<void> } = {}): OutboxTransport {
    return {
      uploadFile: async (upload) => {
        const storagePath = `${upload.sessionId}/${upload.clientMessageId}/${upload.fileName}`;
        this.db
          .prepare('INSERT INTO objects (storage_path, bytes) VALUES (?, ?) ON CONFLICT (storage_path) DO UPDATE SET bytes = excluded.bytes')
          .run(storagePath, readFileSync(upload.localPath));
        return { storagePath };
      },
      sendMessage: async (request) => {
        const message = this.send(senderId, request);
        await options.afterInsert?.();
        return message;
      },
      reviewAudio: async (request) => this.review(senderId, request),
    };
  }

  send(senderId: string, r: SendMessageRequest): ServerMessage {
    if (r.type === 'text' && (r.body === null || r.body.trim() === '')) {
      throw new OutboxTransportError({ code: 'SA422', messageKey: 'chat.empty_message', permanent: true });
    }
    const inserted = this.db
      .prepare<unknown[], ServerRow>(
        `INSERT INTO messages (id, sender_id, session_id, client_message_id, type, body, storage_path, mime_type, size_bytes,
           duration_ms, waveform, reply_to, status, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
         ON CONFLICT (sender_id, client_message_id) DO NOTHING RETURNING *`,
      )
      .get(
        randomUUID(), senderId, r.sessionId, r.clientMessageId, r.type, r.body, r.storagePath, r.mimeType, r.sizeBytes,
        r.durationMs, r.waveform === null ? null : JSON.stringify(r.waveform), r.replyTo,
        r.type === 'audio' ? 'pending_approval' : 'sent',
      );
    if (inserted) return toServerMessage(inserted);
    this.idempotentReplays++;
    const existing = this.db
      .prepare<[string, string], ServerRow>('SELECT * FROM messages WHERE sender_id = ? AND client_message_id = ?')
      .get(senderId, r.clientMessageId)!;
    return toServerMessage(existing);
  }

  addPendingVoiceNote(messageId: string): void {
    this.db.prepare(`INSERT INTO voice_notes (message_id, status) VALUES (?, 'pending_approval')`).run(messageId);
  }

  review(reviewerId: string, r: ReviewAudioRequest): ReviewAudioResult {
    const status = r.decision === 'approve' ? 'approved' : 'rejected';
    const now = new Date().toISOString();
    const changed = this.db
      .prepare(
        `UPDATE voice_notes SET status = ?, reviewed_by = ?, reviewed_at = ?, review_reason = ?
         WHERE message_id = ? AND status = 'pending_approval'`,
      )
      .run(status, reviewerId, now, r.reason, r.messageId).changes;
    if (changed === 1) return { outcome: 'applied', reviewedAt: now };
    const current = this.db
      .prepare<[string], { status: string; reviewed_by: string | null; reviewed_at: string | null }>(
        'SELECT status, reviewed_by, reviewed_at FROM voice_notes WHERE message_id = ?',
      )
      .get(r.messageId);
    if (!current) throw new OutboxTransportError({ code: 'SA404', messageKey: 'review.not_found', permanent: true });
    const decision = current.status === 'approved' ? 'approve' : 'reject';
    if (current.reviewed_by === reviewerId && decision === r.decision) return { outcome: 'applied', reviewedAt: current.reviewed_at! };
    return { outcome: 'already_decided', decision, reviewedBy: current.reviewed_by, reviewedAt: current.reviewed_at };
  }

  rows(): ServerRow[] {
    return this.db.prepare<[], ServerRow>('SELECT * FROM messages ORDER BY seq').all();
  }

  close(): void {
    this.db.close();
  }
}

function toServerMessage(r: ServerRow): ServerMessage {
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
    editedAt: null,
    reviewedBy: null,
    reviewedAt: null,
    reviewReason: null,
  };
}
