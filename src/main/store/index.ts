import { join } from 'node:path';
import { AudioCache } from './audio-cache';
import { Drafts } from './drafts';
import { LocalDatabase, type LocalDatabaseOptions } from './local-database';
import { MessageCache } from './message-cache';
import { OutboxRows } from './outbox-rows';
import { ReviewPacks } from './review-packs';
import { SessionListCache } from './session-list-cache';

export { AudioCache, AudioCacheError } from './audio-cache';
export { Drafts, type Draft } from './drafts';
export { LATEST_SCHEMA_VERSION, LocalDatabase, LocalDatabaseError, migrate, type LocalDatabaseOptions } from './local-database';
export { DEFAULT_MESSAGES_PER_SESSION, MAX_PAGE_SIZE, MessageCache, type MessageCursor, type MessageStatus, type MessageType, type ServerMessage } from './message-cache';
export { OutboxRows, type NewOutboxRow, type OutboxJob, type OutboxKind, type OutboxRow, type OutboxState, type StoredError } from './outbox-rows';
export {
  MAX_REVIEW_REASON_CHARS,
  ReviewPackError,
  ReviewPacks,
  type ReviewDecision,
  type ReviewItem,
  type ReviewItemState,
  type ReviewPackInput,
  type ReviewPackItemInput,
  type ReviewPackSummary,
  type ReviewSettlement,
} from './review-packs';
export { DEFAULT_CACHED_SESSIONS, SessionListCache } from './session-list-cache';
export { normalizeTimestamp, TimestampError } from './timestamps';

export interface LocalStoreOptions extends LocalDatabaseOptions {
  /** The signed-in user's folder (one per user); the database and the file folders live under it. */
  directory: string;
  /** Cap of the audio cache in bytes (default 512 MiB). */
  audioCacheMaxBytes?: number;
  /** Newest messages kept per session in the message cache (default DEFAULT_MESSAGES_PER_SESSION). */
  messagesPerSession?: number;
  /** Rows kept of the cached session list (default DEFAULT_CACHED_SESSIONS). */
  cachedSessions?: number;
  now?: () => number;
}

/** Everything the main process keeps locally for one signed-in user. */
export interface LocalStore {
  readonly database: LocalDatabase;
  readonly directory: string;
  readonly outboxRows: OutboxRows;
  readonly outboxFilesDirectory: string;
  readonly messages: MessageCache;
  readonly drafts: Drafts;
  readonly audioCache: AudioCache;
  readonly reviewPacks: ReviewPacks;
  readonly sessionList: SessionListCache;
  close(): void;
}

export const DEFAULT_AUDIO_CACHE_BYTES = 512 * 1024 * 1024;

export function openLocalStore(options: LocalStoreOptions): LocalStore {
  const now = options.now ?? Date.now;
  const database = LocalDatabase.open(join(options.directory, 'local.db'), options);
  try {
    return {
      database,
      directory: options.directory,
      outboxRows: new OutboxRows(database),
      outboxFilesDirectory: join(options.directory, 'outbox-files'),
      messages: new MessageCache(database, options.messagesPerSession),
      drafts: new Drafts(database, now),
      audioCache: new AudioCache(database, {
        directory: join(options.directory, 'audio-cache'),
        maxBytes: options.audioCacheMaxBytes ?? DEFAULT_AUDIO_CACHE_BYTES,
        now,
      }),
      reviewPacks: new ReviewPacks(database, join(options.directory, 'review-packs'), now),
      sessionList: new SessionListCache(database, options.cachedSessions),
      close: () => database.close(),
    };
  } catch (error) {
    database.close();
    throw error;
  }
}
