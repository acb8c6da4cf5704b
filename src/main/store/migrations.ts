import type Database from 'better-sqlite3';

export interface Migration {
  readonly name: string;
  up(db: Database.Database): void;
}

/**
 * Ordered; index + 1 is the `user_version` a migration brings the database to.
 * Never edit a shipped migration: append a new one.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    name: 'outbox, message cache, drafts, audio cache, review packs',
    up(db) {
      db.exec(`
        CREATE TABLE outbox (
          -- rowid alias: a new row always gets a larger value than every row
          -- still present, which is all the per-queue order needs.
          seq INTEGER PRIMARY KEY,
          client_message_id TEXT NOT NULL UNIQUE,
          job TEXT NOT NULL CHECK (job IN ('message', 'review')),
          -- messages queue per chat session, review decisions per reviewed message
          queue_key TEXT NOT NULL,
          session_id TEXT NOT NULL,
          kind TEXT NOT NULL CHECK (kind IN ('text', 'audio', 'image', 'file', 'review')),
          body TEXT,
          file_path TEXT,
          file_name TEXT,
          mime_type TEXT,
          size_bytes INTEGER,
          duration_ms INTEGER,
          waveform TEXT,
          reply_to TEXT,
          review_message_id TEXT,
          review_decision TEXT CHECK (review_decision IN ('approve', 'reject')),
          review_reason TEXT,
          storage_path TEXT,
          created_at INTEGER NOT NULL,
          state TEXT NOT NULL CHECK (state IN ('queued', 'sending', 'sent', 'failed')),
          attempts INTEGER NOT NULL DEFAULT 0,
          next_attempt_at INTEGER NOT NULL,
          last_error_code TEXT,
          last_error_key TEXT,
          last_error_permanent INTEGER,
          server_message_id TEXT,
          sent_at INTEGER
        ) STRICT;
        CREATE INDEX outbox_pending_by_queue ON outbox (queue_key, seq) WHERE state <> 'sent';
        CREATE INDEX outbox_sent_at ON outbox (sent_at) WHERE state = 'sent';

        CREATE TABLE cached_messages (
          id TEXT PRIMARY KEY,
          session_id TEXT NOT NULL,
          sender_id TEXT NOT NULL,
          type TEXT NOT NULL,
          body TEXT,
          storage_path TEXT,
          mime_type TEXT,
          size_bytes INTEGER,
          duration_ms INTEGER,
          waveform TEXT,
          reply_to TEXT,
          status TEXT NOT NULL,
          client_message_id TEXT,
          -- normalised UTC with 6 fraction digits so text order is time order
          created_at TEXT NOT NULL,
          edited_at TEXT,
          reviewed_by TEXT,
          reviewed_at TEXT,
          review_reason TEXT
        ) STRICT;
        CREATE INDEX cached_messages_page ON cached_messages (session_id, created_at DESC, id DESC);

        CREATE TABLE drafts (
          session_id TEXT PRIMARY KEY,
          body TEXT NOT NULL,
          reply_to TEXT,
          updated_at INTEGER NOT NULL
        ) STRICT;

        CREATE TABLE audio_cache (
          storage_path TEXT PRIMARY KEY,
          file_name TEXT NOT NULL UNIQUE,
          size_bytes INTEGER NOT NULL,
          last_access_at INTEGER NOT NULL,
          -- monotonic tie-breaker: two reads in the same millisecond still order
          access_seq INTEGER NOT NULL
        ) STRICT;
        CREATE INDEX audio_cache_lru ON audio_cache (access_seq);

        CREATE TABLE review_packs (
          id TEXT PRIMARY KEY,
          label TEXT NOT NULL,
          downloaded_at INTEGER NOT NULL
        ) STRICT;

        CREATE TABLE review_items (
          message_id TEXT PRIMARY KEY,
          pack_id TEXT NOT NULL REFERENCES review_packs (id) ON DELETE CASCADE,
          session_id TEXT NOT NULL,
          sender_id TEXT NOT NULL,
          sender_name TEXT,
          created_at TEXT NOT NULL,
          mime_type TEXT NOT NULL,
          size_bytes INTEGER NOT NULL,
          duration_ms INTEGER,
          waveform TEXT,
          storage_path TEXT NOT NULL,
          audio_file TEXT NOT NULL,
          state TEXT NOT NULL CHECK (state IN ('pending', 'decided', 'applied', 'superseded')),
          decision TEXT CHECK (decision IN ('approve', 'reject')),
          reason TEXT,
          decided_at INTEGER,
          outbox_client_message_id TEXT,
          outcome_decision TEXT,
          outcome_reviewed_by TEXT,
          outcome_at TEXT
        ) STRICT;
        CREATE INDEX review_items_by_pack ON review_items (pack_id, created_at);
      `);
    },
  },
  {
    name: 'the session list as last shown',
    up(db) {
      // The rows the console showed last (list_sessions' rows and the changes merged since), in the list's order,
      // so the next start draws them at once while the backend's list is read (session-list-cache.ts).
      db.exec(`
        CREATE TABLE cached_sessions (
          id TEXT PRIMARY KEY,
          position INTEGER NOT NULL UNIQUE,
          -- the row as the core hands it to the renderer (the contract's sessionSchema), JSON
          row TEXT NOT NULL
        ) STRICT;
      `);
    },
  },
];
