import type { LocalDatabase } from './local-database';

export type OutboxJob = 'message' | 'review';
export type OutboxKind = 'text' | 'audio' | 'image' | 'file' | 'review';
export type OutboxState = 'queued' | 'sending' | 'sent' | 'failed';

/** One outbox row as stored (snake_case mirrors the table). */
export interface OutboxRow {
  seq: number;
  client_message_id: string;
  job: OutboxJob;
  queue_key: string;
  session_id: string;
  kind: OutboxKind;
  body: string | null;
  file_path: string | null;
  file_name: string | null;
  mime_type: string | null;
  size_bytes: number | null;
  duration_ms: number | null;
  waveform: string | null;
  reply_to: string | null;
  review_message_id: string | null;
  review_decision: 'approve' | 'reject' | null;
  review_reason: string | null;
  storage_path: string | null;
  created_at: number;
  state: OutboxState;
  attempts: number;
  next_attempt_at: number;
  last_error_code: string | null;
  last_error_key: string | null;
  last_error_permanent: number | null;
  server_message_id: string | null;
  sent_at: number | null;
}

export type NewOutboxRow = Omit<OutboxRow, 'seq' | 'state' | 'attempts' | 'last_error_code' | 'last_error_key' | 'last_error_permanent' | 'server_message_id' | 'sent_at' | 'storage_path'>;

export interface StoredError {
  code: string;
  messageKey: string;
  permanent: boolean;
}

const INSERT_SQL = `INSERT INTO outbox (client_message_id, job, queue_key, session_id, kind, body, file_path, file_name, mime_type,
  size_bytes, duration_ms, waveform, reply_to, review_message_id, review_decision, review_reason, created_at, state, attempts, next_attempt_at)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'queued', 0, ?)`;

/** The outbox table's SQL; the flusher in src/main/outbox/ is its only caller. */
export class OutboxRows {
  constructor(private readonly database: LocalDatabase) {}

  /** Text as the benchmark's bare-insert baseline uses it: same statement, same row shape. */
  static readonly insertSql = INSERT_SQL;

  insert(row: NewOutboxRow): number {
    const result = this.database
      .statement(INSERT_SQL)
      .run(
        row.client_message_id,
        row.job,
        row.queue_key,
        row.session_id,
        row.kind,
        row.body,
        row.file_path,
        row.file_name,
        row.mime_type,
        row.size_bytes,
        row.duration_ms,
        row.waveform,
        row.reply_to,
        row.review_message_id,
        row.review_decision,
        row.review_reason,
        row.created_at,
        row.next_attempt_at,
      );
    return Number(result.lastInsertRowid);
  }

  get(clientMessageId: string): OutboxRow | undefined {
    return this.database.statement<[string], OutboxRow>('SELECT * FROM outbox WHERE client_message_id = ?').get(clientMessageId);
  }

  bySeq(seq: number): OutboxRow | undefined {
    return this.database.statement<[number], OutboxRow>('SELECT * FROM outbox WHERE seq = ?').get(seq);
  }

  /** The oldest unsent row of one queue: the only one that may be worked on. */
  head(queueKey: string): OutboxRow | undefined {
    return this.database
      .statement<[string], OutboxRow>(`SELECT * FROM outbox WHERE queue_key = ? AND state <> 'sent' ORDER BY seq LIMIT 1`)
      .get(queueKey);
  }

  /** The head row of every queue that has unsent rows. */
  heads(): OutboxRow[] {
    return this.database
      .statement<[], OutboxRow>(
        `SELECT o.* FROM outbox o
          JOIN (SELECT min(seq) AS seq FROM outbox WHERE state <> 'sent' GROUP BY queue_key) h ON h.seq = o.seq
          ORDER BY o.seq`,
      )
      .all();
  }

  /** Unsent rows, oldest first, optionally for one chat session (what a session view shows under the cached history). */
  unsent(sessionId?: string): OutboxRow[] {
    if (sessionId === undefined) {
      return this.database.statement<[], OutboxRow>(`SELECT * FROM outbox WHERE state <> 'sent' ORDER BY seq`).all();
    }
    return this.database
      .statement<[string], OutboxRow>(`SELECT * FROM outbox WHERE session_id = ? AND state <> 'sent' ORDER BY seq`)
      .all(sessionId);
  }

  markSending(seq: number): void {
    this.database.statement(`UPDATE outbox SET state = 'sending', attempts = attempts + 1 WHERE seq = ?`).run(seq);
  }

  setStoragePath(seq: number, storagePath: string): void {
    this.database.statement('UPDATE outbox SET storage_path = ? WHERE seq = ?').run(storagePath, seq);
  }

  markSent(seq: number, serverMessageId: string | null, sentAt: number): void {
    this.database
      .statement(
        `UPDATE outbox SET state = 'sent', server_message_id = ?, sent_at = ?,
           last_error_code = NULL, last_error_key = NULL, last_error_permanent = NULL WHERE seq = ?`,
      )
      .run(serverMessageId, sentAt, seq);
  }

  markRetry(seq: number, error: StoredError, nextAttemptAt: number): void {
    this.database
      .statement(
        `UPDATE outbox SET state = 'queued', next_attempt_at = ?, last_error_code = ?, last_error_key = ?, last_error_permanent = 0 WHERE seq = ?`,
      )
      .run(nextAttemptAt, error.code, error.messageKey, seq);
  }

  markFailed(seq: number, error: StoredError): void {
    this.database
      .statement(`UPDATE outbox SET state = 'failed', last_error_code = ?, last_error_key = ?, last_error_permanent = 1 WHERE seq = ?`)
      .run(error.code, error.messageKey, seq);
  }

  /** A manual retry starts a fresh backoff series; the last error stays visible until the next outcome. */
  requeue(seq: number, now: number): void {
    this.database.statement(`UPDATE outbox SET state = 'queued', attempts = 0, next_attempt_at = ? WHERE seq = ?`).run(now, seq);
  }

  delete(seq: number): void {
    this.database.statement('DELETE FROM outbox WHERE seq = ?').run(seq);
  }

  /** After a crash, rows caught mid-flight are queued again; the server's idempotency on client_message_id makes the re-send safe. */
  recoverSending(now: number): number {
    return this.database.statement(`UPDATE outbox SET state = 'queued', next_attempt_at = ? WHERE state = 'sending'`).run(now).changes;
  }

  /** Coming back online: whatever waits on a backoff timer goes now. */
  expediteQueued(now: number): number {
    return this.database
      .statement(`UPDATE outbox SET next_attempt_at = ? WHERE state = 'queued' AND next_attempt_at > ?`)
      .run(now, now).changes;
  }

  /** File names still needed on disk: those of rows not yet sent. */
  filesInUse(): Set<string> {
    const rows = this.database
      .statement<[], { file_path: string }>(`SELECT file_path FROM outbox WHERE state <> 'sent' AND file_path IS NOT NULL`)
      .all();
    return new Set(rows.map((r) => r.file_path));
  }

  pruneSent(sentBefore: number): number {
    return this.database.statement(`DELETE FROM outbox WHERE state = 'sent' AND sent_at < ?`).run(sentBefore).changes;
  }
}
