import { randomUUID } from 'node:crypto';
import type { LocalDatabase, MessageCache, NewOutboxRow, OutboxRow, OutboxRows, ReviewPacks, ServerMessage } from '../store';
import { backoffDelayMs, DEFAULT_BACKOFF, type BackoffPolicy } from './backoff';
import { systemClock, type Clock, type TimerHandle } from './clock';
import { OutboxFiles } from './outbox-files';
import { classifyTransportError, type OutboxTransport, type ReviewAudioResult } from './transport';
import {
  OutboxActionError,
  type EnqueueMessageInput,
  type EnqueueReviewInput,
  type OutboxEntry,
  type OutboxEvent,
  type OutboxListener,
} from './types';
import { checkFileContent, requireUuid, sourceSize, validateMessage, type OutboxLimits } from './validate';

export interface OutboxStore {
  database: LocalDatabase;
  outboxRows: OutboxRows;
  outboxFilesDirectory: string;
  messages: MessageCache;
  reviewPacks: ReviewPacks;
}

export interface OutboxOptions {
  store: OutboxStore;
  transport: OutboxTransport;
  clock?: Clock;
  /** Uniform draw in [0, 1) for backoff jitter. */
  random?: () => number;
  backoff?: BackoffPolicy;
  /** How many queues (sessions, review decisions) may have a request in flight at once. */
  maxConcurrentQueues?: number;
  /** Initial connectivity; the app reports changes with setOnline(). */
  online?: boolean;
  /** Sent rows are kept this long (for the UI's last state), then pruned at the next start. */
  keepSentMs?: number;
  /** Failures of the outbox's own bookkeeping (e.g. the disk refused a write after a send); default: console.error. */
  onInternalError?: (error: unknown) => void;
  /**
   * The console settings last read from the server (outboxLimitsFromSettings), checked at enqueue so a message
   * over the limit is refused at once instead of failing after it was queued. Null/undefined: not known yet
   * (offline from the start), and only the absolute caps apply; the server checks again in any case.
   */
  limits?: () => OutboxLimits | null | undefined;
}

/**
 * The durable outbox (DESIGN §4 "Send").
 *
 * - `enqueue` returns only after the row (and any file) is on disk; that is
 *   when the renderer may say "queued".
 * - One ordered queue per chat session: a session's message N+1 is never
 *   sent before N is sent. Review decisions queue per reviewed voice note.
 *   Different queues flow concurrently.
 * - A permanent error marks the row `failed` and the messages after it in the
 *   same session WAIT (they stay `queued`): sending them would reorder the
 *   conversation. The user unblocks the queue with retry(id) or cancel(id).
 * - Transient errors retry with exponential backoff, full jitter, capped
 *   (5 minutes by default), never while offline; coming online retries at once.
 * - On start, rows caught in `sending` by a crash return to `queued`; the
 *   backend's idempotency on client_message_id makes the re-send safe.
 */
export class Outbox {
  private readonly limits: OutboxOptions['limits'];
  private readonly database: LocalDatabase;
  private readonly rows: OutboxRows;
  private readonly messages: MessageCache;
  private readonly reviewPacks: ReviewPacks;
  private readonly files: OutboxFiles;
  private readonly transport: OutboxTransport;
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly backoff: BackoffPolicy;
  private readonly maxConcurrentQueues: number;
  private readonly onInternalError: (error: unknown) => void;
  private readonly listeners = new Set<OutboxListener>();
  private readonly active = new Map<string, Promise<void>>();
  private online: boolean;
  private started = false;
  private closed = false;
  private pumpQueued = false;
  private wakeTimer: TimerHandle | null = null;

  constructor(options: OutboxOptions) {
    this.limits = options.limits;
    this.database = options.store.database;
    this.rows = options.store.outboxRows;
    this.messages = options.store.messages;
    this.reviewPacks = options.store.reviewPacks;
    this.files = new OutboxFiles(options.store.outboxFilesDirectory);
    this.transport = options.transport;
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
    this.maxConcurrentQueues = Math.max(1, options.maxConcurrentQueues ?? 8);
    this.online = options.online ?? true;
    this.onInternalError = options.onInternalError ?? ((error) => console.error('[outbox]', error));

    // Recovery runs before anything can be enqueued or sent.
    const now = this.clock.now();
    this.rows.recoverSending(now);
    this.rows.pruneSent(now - (options.keepSentMs ?? 24 * 60 * 60 * 1000));
    this.files.removeAllExcept(this.rows.filesInUse());
  }

  /** Subscribes to state changes; returns the unsubscribe function. */
  on(listener: OutboxListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Starts flushing (call once the IPC layer listens, so no event is missed). */
  start(): void {
    this.assertOpen();
    this.started = true;
    this.schedulePump();
  }

  setOnline(online: boolean): void {
    if (this.closed || this.online === online) return;
    this.online = online;
    if (!online) {
      this.clearWakeTimer();
      return;
    }
    this.rows.expediteQueued(this.clock.now());
    this.schedulePump();
  }

  get isOnline(): boolean {
    return this.online;
  }

  /**
   * Writes the message durably and resolves with its entry (state `queued`).
   * Rejects with OutboxInputError for malformed input; nothing is stored then.
   */
  async enqueue(input: EnqueueMessageInput): Promise<OutboxEntry> {
    this.assertOpen();
    const limits = this.limits?.() ?? {};
    const message = validateMessage(input, limits);
    const clientMessageId = randomUUID();
    const now = this.clock.now();
    if (message.kind === 'text') {
      const row: NewOutboxRow = {
        client_message_id: clientMessageId,
        job: 'message',
        queue_key: sessionQueue(message.sessionId),
        session_id: message.sessionId,
        kind: 'text',
        body: message.body,
        file_path: null,
        file_name: null,
        mime_type: null,
        size_bytes: null,
        duration_ms: null,
        waveform: null,
        reply_to: message.replyTo,
        review_message_id: null,
        review_decision: null,
        review_reason: null,
        created_at: now,
        next_attempt_at: now,
      };
      this.rows.insert(row);
      return this.afterInsert(row, null);
    }
    await checkFileContent(message, await sourceSize(message.source), limits);
    // The file is durable before the row exists, so a committed row never points at missing bytes.
    const sizeBytes = await this.files.writeDurably(clientMessageId, message.source);
    this.assertOpen();
    const row: NewOutboxRow = {
      client_message_id: clientMessageId,
      job: 'message',
      queue_key: sessionQueue(message.sessionId),
      session_id: message.sessionId,
      kind: message.kind,
      body: message.body,
      file_path: clientMessageId,
      file_name: message.fileName,
      mime_type: message.mimeType,
      size_bytes: sizeBytes,
      duration_ms: message.durationMs,
      waveform: message.waveform ? JSON.stringify(message.waveform) : null,
      reply_to: message.replyTo,
      review_message_id: null,
      review_decision: null,
      review_reason: null,
      created_at: now,
      next_attempt_at: now,
    };
    try {
      this.rows.insert(row);
    } catch (error) {
      await this.files.remove(clientMessageId);
      throw error;
    }
    return this.afterInsert(row, message.waveform);
  }

  /**
   * Records a review decision on a downloaded voice note and queues it for the
   * server, in one transaction. Throws ReviewPackError (not found, already
   * decided, reason required) without storing anything.
   */
  enqueueReview(input: EnqueueReviewInput): OutboxEntry {
    this.assertOpen();
    const messageId = input?.messageId;
    if (typeof messageId !== 'string' || messageId === '') {
      throw new OutboxActionError('outbox.not_found', 'outbox.error.not_found', 'A review decision needs the voice note id');
    }
    const clientMessageId = randomUUID();
    const now = this.clock.now();
    const row = this.database.transaction(() => {
      const item = this.reviewPacks.markDecided(messageId, input.decision, input.reason ?? null, clientMessageId);
      const newRow: NewOutboxRow = {
        client_message_id: clientMessageId,
        job: 'review',
        queue_key: `review:${messageId}`,
        session_id: item.sessionId,
        kind: 'review',
        body: null,
        file_path: null,
        file_name: null,
        mime_type: null,
        size_bytes: null,
        duration_ms: null,
        waveform: null,
        reply_to: null,
        review_message_id: messageId,
        review_decision: item.decision,
        review_reason: item.reason,
        created_at: now,
        next_attempt_at: now,
      };
      this.rows.insert(newRow);
      return newRow;
    });
    return this.afterInsert(row, null);
  }

  /** Sends a failed (or backing-off) entry again now, with a fresh backoff series. */
  retry(clientMessageId: string): OutboxEntry {
    this.assertOpen();
    const row = this.requireRow(clientMessageId);
    if (row.state !== 'failed' && row.state !== 'queued') {
      throw new OutboxActionError('outbox.retry_refused', 'outbox.error.retry_refused', `Message ${clientMessageId} is ${row.state}; only failed or queued messages can be retried`);
    }
    this.rows.requeue(row.seq, this.clock.now());
    const entry = toEntry(this.rows.bySeq(row.seq)!);
    this.emit({ type: 'queued', entry });
    this.schedulePump();
    return entry;
  }

  /** Drops a queued or failed entry (and its file). Refused once it is sending or sent: it may already be on the server. */
  async cancel(clientMessageId: string): Promise<void> {
    this.assertOpen();
    const row = this.requireRow(clientMessageId);
    if (row.state === 'sending' || row.state === 'sent') {
      throw new OutboxActionError('outbox.cancel_refused', 'outbox.error.cancel_refused', `Message ${clientMessageId} is already ${row.state} and can no longer be cancelled`);
    }
    this.database.transaction(() => {
      this.rows.delete(row.seq);
      if (row.job === 'review' && row.review_message_id !== null) this.reviewPacks.undoDecision(row.review_message_id);
    });
    this.emit({ type: 'cancelled', clientMessageId, sessionId: row.session_id, job: row.job });
    this.schedulePump();
    if (row.file_path !== null) await this.files.remove(row.file_path);
  }

  get(clientMessageId: string): OutboxEntry | null {
    const row = this.rows.get(clientMessageId);
    return row ? toEntry(row) : null;
  }

  /** Entries not yet sent, oldest first (optionally of one session): what a session view shows after its cached history. */
  unsent(sessionId?: string): OutboxEntry[] {
    if (sessionId !== undefined) requireUuid('sessionId', sessionId);
    const failedHead = new Map<string, string>();
    return this.rows.unsent(sessionId).map((row) => {
      const entry = toEntry(row);
      const blocker = failedHead.get(row.queue_key);
      if (blocker !== undefined) entry.blockedBy = blocker;
      else if (row.state === 'failed') failedHead.set(row.queue_key, row.client_message_id);
      return entry;
    });
  }

  /** Resolves once no request is in flight and nothing is due to start (tests and orderly shutdown). */
  async idle(): Promise<void> {
    while (this.pumpQueued || this.active.size > 0) {
      await Promise.all(this.active.values());
      await Promise.resolve();
    }
  }

  /**
   * Stops flushing and waits (up to `timeoutMs`) for requests in flight to be
   * recorded, then detaches. A request still unanswered after that stays
   * `sending` on disk and is re-sent at the next start, which the backend's
   * idempotency makes safe. The store is closed by its owner afterwards.
   */
  async close(timeoutMs = 5000): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.clearWakeTimer();
    let timer: TimerHandle | null = null;
    await Promise.race([
      Promise.allSettled(this.active.values()),
      new Promise<void>((resolve) => (timer = this.clock.setTimeout(resolve, timeoutMs))),
    ]);
    if (timer !== null) this.clock.clearTimeout(timer);
    this.listeners.clear();
  }

  // ---- flushing ----

  private afterInsert(row: NewOutboxRow, waveform: number[] | null): OutboxEntry {
    const entry: OutboxEntry = {
      clientMessageId: row.client_message_id,
      job: row.job,
      sessionId: row.session_id,
      kind: row.kind,
      body: row.body,
      fileName: row.file_name,
      mimeType: row.mime_type,
      sizeBytes: row.size_bytes,
      durationMs: row.duration_ms,
      waveform,
      replyTo: row.reply_to,
      reviewMessageId: row.review_message_id,
      reviewDecision: row.review_decision,
      reviewReason: row.review_reason,
      createdAt: row.created_at,
      state: 'queued',
      attempts: 0,
      nextAttemptAt: row.next_attempt_at,
      lastError: null,
      serverMessageId: null,
    };
    if (this.listeners.size > 0) this.emit({ type: 'queued', entry });
    if (this.started && this.online) this.schedulePump();
    return entry;
  }

  private schedulePump(): void {
    if (this.pumpQueued || this.closed || !this.started) return;
    this.pumpQueued = true;
    queueMicrotask(() => {
      this.pumpQueued = false;
      try {
        this.pump();
      } catch (error) {
        this.onInternalError(error);
      }
    });
  }

  private pump(): void {
    if (this.closed || !this.online) return;
    this.clearWakeTimer();
    const now = this.clock.now();
    let earliest = Number.POSITIVE_INFINITY;
    for (const head of this.rows.heads()) {
      if (this.active.has(head.queue_key) || head.state !== 'queued') continue; // failed heads block their queue
      if (!this.isDue(head, now)) {
        earliest = Math.min(earliest, head.next_attempt_at);
        continue;
      }
      if (this.active.size >= this.maxConcurrentQueues) break; // a finishing queue pumps again
      this.startQueue(head.queue_key);
    }
    if (earliest !== Number.POSITIVE_INFINITY) {
      this.wakeTimer = this.clock.setTimeout(() => {
        this.wakeTimer = null;
        this.schedulePump();
      }, earliest - now);
    }
  }

  /** Due now, or scheduled further ahead than any backoff allows: the wall clock was set back, so do not wait days. */
  private isDue(row: OutboxRow, now: number): boolean {
    return row.next_attempt_at <= now || row.next_attempt_at - now > this.backoff.capMs;
  }

  private startQueue(queueKey: string): void {
    const run = this.drainQueue(queueKey)
      .catch((error: unknown) => this.onInternalError(error))
      .finally(() => {
        this.active.delete(queueKey);
        this.schedulePump();
      });
    this.active.set(queueKey, run);
  }

  private async drainQueue(queueKey: string): Promise<void> {
    while (!this.closed && this.online) {
      const head = this.rows.head(queueKey);
      if (!head || head.state !== 'queued' || !this.isDue(head, this.clock.now())) return;
      // Read and mark in the same tick: cancel() cannot slip in between.
      this.rows.markSending(head.seq);
      const row: OutboxRow = { ...head, state: 'sending', attempts: head.attempts + 1 };
      this.emit({ type: 'sending', entry: toEntry(row) });
      try {
        if (row.job === 'message') await this.deliverMessage(row);
        else await this.deliverReview(row);
      } catch (error) {
        this.recordFailure(row, error);
        return;
      }
    }
  }

  private async deliverMessage(row: OutboxRow): Promise<void> {
    let storagePath = row.storage_path;
    if (row.file_path !== null && storagePath === null) {
      const uploaded = await this.transport.uploadFile({
        sessionId: row.session_id,
        clientMessageId: row.client_message_id,
        localPath: this.files.pathOf(row.file_path),
        fileName: row.file_name!,
        mimeType: row.mime_type!,
        sizeBytes: row.size_bytes!,
      });
      if (typeof uploaded?.storagePath !== 'string' || uploaded.storagePath === '') {
        throw new Error('The transport uploaded a file but returned no storage path');
      }
      storagePath = uploaded.storagePath;
      // Remembered so a later retry does not upload again.
      this.rows.setStoragePath(row.seq, storagePath);
    }
    const message: ServerMessage = await this.transport.sendMessage({
      clientMessageId: row.client_message_id,
      sessionId: row.session_id,
      type: row.kind as 'text' | 'audio' | 'image' | 'file',
      body: row.body,
      storagePath,
      mimeType: row.mime_type,
      sizeBytes: row.size_bytes,
      durationMs: row.duration_ms,
      waveform: row.waveform === null ? null : (JSON.parse(row.waveform) as number[]),
      replyTo: row.reply_to,
    });
    if (typeof message?.id !== 'string' || message.id === '') {
      throw new Error('The transport sent a message but returned no server id');
    }
    if (!this.database.db.open) return; // answered after shutdown: the row stays `sending` and is re-sent, idempotently, next start
    const sentAt = this.clock.now();
    this.database.transaction(() => {
      this.rows.markSent(row.seq, message.id, sentAt);
      try {
        this.messages.upsertMessages([message]);
      } catch (error) {
        // The cache is only a cache: the session's reconcile fetches the row again.
        this.onInternalError(error);
      }
    });
    const sent: OutboxRow = { ...row, state: 'sent', storage_path: storagePath, server_message_id: message.id, sent_at: sentAt };
    this.emit({ type: 'sent', entry: toEntry(sent), serverMessageId: message.id, message, review: null });
    if (row.file_path !== null) await this.files.remove(row.file_path);
  }

  private async deliverReview(row: OutboxRow): Promise<void> {
    const result: ReviewAudioResult = await this.transport.reviewAudio({
      clientDecisionId: row.client_message_id,
      messageId: row.review_message_id!,
      decision: row.review_decision!,
      reason: row.review_reason,
    });
    if (result?.outcome !== 'applied' && result?.outcome !== 'already_decided') {
      throw new Error(`The transport answered a review with an unknown outcome: ${JSON.stringify(result)}`);
    }
    if (!this.database.db.open) return;
    const sentAt = this.clock.now();
    this.database.transaction(() => {
      this.rows.markSent(row.seq, null, sentAt);
      // "Already decided by someone else" is final: recorded, surfaced, never retried.
      this.reviewPacks.recordSettlement(
        row.review_message_id!,
        result.outcome === 'applied' ? { outcome: 'applied', decision: row.review_decision!, reviewedAt: result.reviewedAt } : result,
      );
    });
    const sent: OutboxRow = { ...row, state: 'sent', sent_at: sentAt };
    this.emit({ type: 'sent', entry: toEntry(sent), serverMessageId: null, message: null, review: result });
  }

  private recordFailure(row: OutboxRow, error: unknown): void {
    if (!this.database.db.open) return;
    const info = classifyTransportError(error);
    const stored = { code: info.code, messageKey: info.messageKey, permanent: info.permanent };
    if (info.permanent) {
      this.rows.markFailed(row.seq, stored);
      this.emit({ type: 'failed', entry: toEntry({ ...row, state: 'failed', ...errorColumns(stored) }), error: stored });
      return;
    }
    const now = this.clock.now();
    const jittered = backoffDelayMs(row.attempts, this.backoff, this.random);
    const wait = Math.min(this.backoff.capMs, Math.max(jittered, info.retryAfterMs ?? 0));
    this.rows.markRetry(row.seq, stored, now + wait);
    this.emit({ type: 'queued', entry: toEntry({ ...row, state: 'queued', next_attempt_at: now + wait, ...errorColumns(stored) }) });
  }

  private emit(event: OutboxEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        // A broken listener must not stall the queue.
        this.onInternalError(error);
      }
    }
  }

  private requireRow(clientMessageId: string): OutboxRow {
    const row = typeof clientMessageId === 'string' ? this.rows.get(clientMessageId) : undefined;
    if (!row) throw new OutboxActionError('outbox.not_found', 'outbox.error.not_found', `No outbox entry ${String(clientMessageId)}`);
    return row;
  }

  private clearWakeTimer(): void {
    if (this.wakeTimer !== null) {
      this.clock.clearTimeout(this.wakeTimer);
      this.wakeTimer = null;
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new OutboxActionError('outbox.closed', 'outbox.error.closed', 'The outbox is closed (signed out or shutting down)');
  }
}

function sessionQueue(sessionId: string): string {
  return `session:${sessionId}`;
}

function errorColumns(error: { code: string; messageKey: string; permanent: boolean }) {
  return { last_error_code: error.code, last_error_key: error.messageKey, last_error_permanent: error.permanent ? 1 : 0 };
}

export function toEntry(row: OutboxRow): OutboxEntry {
  return {
    clientMessageId: row.client_message_id,
    job: row.job,
    sessionId: row.session_id,
    kind: row.kind,
    body: row.body,
    fileName: row.file_name,
    mimeType: row.mime_type,
    sizeBytes: row.size_bytes,
    durationMs: row.duration_ms,
    waveform: row.waveform === null ? null : (JSON.parse(row.waveform) as number[]),
    replyTo: row.reply_to,
    reviewMessageId: row.review_message_id,
    reviewDecision: row.review_decision,
    reviewReason: row.review_reason,
    createdAt: row.created_at,
    state: row.state,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    lastError:
      row.last_error_code === null
        ? null
        : { code: row.last_error_code, messageKey: row.last_error_key ?? '', permanent: row.last_error_permanent === 1 },
    serverMessageId: row.server_message_id,
  };
}
