import type { OutboxJob, OutboxKind, OutboxState, ReviewDecision, ServerMessage } from '../store';
import type { OutboxErrorInfo, ReviewAudioResult } from './transport';

/** Where an attachment's bytes come from: recorded/pasted bytes, or a file the user picked (copied into the outbox). */
export type FileSource = { bytes: Uint8Array } | { sourcePath: string };

export type EnqueueMessageInput =
  | { sessionId: string; kind: 'text'; body: string; replyTo?: string | null }
  | {
      sessionId: string;
      kind: 'audio';
      file: FileSource;
      fileName: string;
      mimeType: string;
      durationMs: number;
      /** Peaks computed once at record time, each in [0, 1]. */
      waveform: number[];
      body?: string | null;
      replyTo?: string | null;
    }
  | {
      sessionId: string;
      kind: 'image' | 'file';
      file: FileSource;
      fileName: string;
      mimeType: string;
      body?: string | null;
      replyTo?: string | null;
    };

export interface EnqueueReviewInput {
  messageId: string;
  decision: ReviewDecision;
  /** Required when rejecting. */
  reason?: string | null;
}

/** An outbox row as the rest of the app sees it (what the IPC layer forwards to the renderer). */
export interface OutboxEntry {
  clientMessageId: string;
  job: OutboxJob;
  sessionId: string;
  kind: OutboxKind;
  body: string | null;
  fileName: string | null;
  mimeType: string | null;
  sizeBytes: number | null;
  durationMs: number | null;
  waveform: number[] | null;
  replyTo: string | null;
  reviewMessageId: string | null;
  reviewDecision: ReviewDecision | null;
  reviewReason: string | null;
  createdAt: number;
  state: OutboxState;
  attempts: number;
  nextAttemptAt: number;
  lastError: OutboxErrorInfo | null;
  serverMessageId: string | null;
  /**
   * Set by Outbox.unsent() only: the failed entry of the same session this one
   * waits behind (order is kept, so it is sent once that one is retried or cancelled).
   */
  blockedBy?: string;
}

export type OutboxEvent =
  /** Written durably (enqueue, manual retry) or waiting for its next attempt after a transient error (then lastError is set). */
  | { type: 'queued'; entry: OutboxEntry }
  | { type: 'sending'; entry: OutboxEntry }
  /** `message` for message jobs; `review` for review jobs (`already_decided` means someone else decided first). */
  | { type: 'sent'; entry: OutboxEntry; serverMessageId: string | null; message: ServerMessage | null; review: ReviewAudioResult | null }
  | { type: 'failed'; entry: OutboxEntry; error: OutboxErrorInfo }
  | { type: 'cancelled'; clientMessageId: string; sessionId: string; job: OutboxJob };

export type OutboxListener = (event: OutboxEvent) => void;

/**
 * Input the outbox refuses before storing anything. `messageKey` says why in the user's words (a specific key
 * such as outbox.error.content_mismatch, else the generic outbox.error.invalid_input) and `params` carry what
 * the sentence needs (limits, the detected type); `message` is the developer's detail.
 */
export class OutboxInputError extends Error {
  readonly messageKey: string;
  readonly params: Record<string, string | number>;
  constructor(
    readonly code: 'outbox.invalid_input',
    readonly field: string,
    message: string,
    detail: { messageKey?: string; params?: Record<string, string | number> } = {},
  ) {
    super(message);
    this.name = 'OutboxInputError';
    this.messageKey = detail.messageKey ?? 'outbox.error.invalid_input';
    this.params = detail.params ?? {};
  }
}

export class OutboxActionError extends Error {
  constructor(
    readonly code: 'outbox.not_found' | 'outbox.cancel_refused' | 'outbox.retry_refused' | 'outbox.closed',
    readonly messageKey: string,
    message: string,
  ) {
    super(message);
    this.name = 'OutboxActionError';
  }
}
