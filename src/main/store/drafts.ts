import type { LocalDatabase } from './local-database';

export interface Draft {
  sessionId: string;
  body: string;
  replyTo: string | null;
  updatedAt: number;
}

/** Unsent composer text per chat session, kept across restarts. */
export class Drafts {
  constructor(
    private readonly database: LocalDatabase,
    private readonly now: () => number,
  ) {}

  get(sessionId: string): Draft | null {
    const row = this.database
      .statement<[string], { session_id: string; body: string; reply_to: string | null; updated_at: number }>(
        'SELECT * FROM drafts WHERE session_id = ?',
      )
      .get(sessionId);
    return row ? { sessionId: row.session_id, body: row.body, replyTo: row.reply_to, updatedAt: row.updated_at } : null;
  }

  /** An empty draft (no text, no reply) is the same as no draft. */
  set(sessionId: string, body: string, replyTo: string | null = null): void {
    if (typeof body !== 'string') throw new TypeError('A draft body must be a string');
    if (body.length === 0 && replyTo === null) {
      this.clear(sessionId);
      return;
    }
    this.database
      .statement(
        `INSERT INTO drafts (session_id, body, reply_to, updated_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (session_id) DO UPDATE SET body = excluded.body, reply_to = excluded.reply_to, updated_at = excluded.updated_at`,
      )
      .run(sessionId, body, replyTo, this.now());
  }

  clear(sessionId: string): void {
    this.database.statement('DELETE FROM drafts WHERE session_id = ?').run(sessionId);
  }
}
