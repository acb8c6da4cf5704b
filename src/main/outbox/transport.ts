import type { ReviewDecision, ServerMessage } from '../store';

/**
 * What the outbox needs from the backend, and nothing more. The backend port
 * (src/main/backend/) provides an implementation for each backend.
 *
 * Contract every implementation must keep:
 * - `sendMessage` is idempotent on (sender, clientMessageId): sending again a
 *   message that already reached the server returns the original row, never a
 *   second one (the outbox re-sends after a crash mid-flight).
 * - `uploadFile` may be called again for the same clientMessageId after a
 *   crash; it must overwrite/reuse, not fail, and return the same storage path.
 * - `reviewAudio` returns `already_decided` when someone else decided first;
 *   a re-send of the decision this same user already applied returns `applied`.
 * - Refusals are thrown as OutboxTransportError with the backend's stable code,
 *   message key and whether retrying can help. Anything else thrown counts as
 *   transient (network, timeouts) and is retried with backoff.
 */
export interface OutboxTransport {
  uploadFile(upload: FileUpload): Promise<{ storagePath: string }>;
  sendMessage(message: SendMessageRequest): Promise<ServerMessage>;
  reviewAudio(review: ReviewAudioRequest): Promise<ReviewAudioResult>;
}

export interface FileUpload {
  sessionId: string;
  clientMessageId: string;
  /** Absolute path of the durable local copy in the outbox files folder. */
  localPath: string;
  fileName: string;
  mimeType: string;
  sizeBytes: number;
}

export interface SendMessageRequest {
  clientMessageId: string;
  sessionId: string;
  type: 'text' | 'audio' | 'image' | 'file';
  body: string | null;
  storagePath: string | null;
  mimeType: string | null;
  sizeBytes: number | null;
  durationMs: number | null;
  waveform: number[] | null;
  replyTo: string | null;
}

export interface ReviewAudioRequest {
  /** Identifies this decision; lets the backend log and dedupe it. */
  clientDecisionId: string;
  messageId: string;
  decision: ReviewDecision;
  reason: string | null;
}

export type ReviewAudioResult =
  | { outcome: 'applied'; reviewedAt: string }
  | { outcome: 'already_decided'; decision: ReviewDecision | null; reviewedBy: string | null; reviewedAt: string | null };

/** A refusal or failure reported by the backend, classified for the outbox. */
export class OutboxTransportError extends Error {
  readonly code: string;
  readonly messageKey: string;
  /** True when sending the same thing again cannot succeed (validation, forbidden, a permanent rate limit). */
  readonly permanent: boolean;
  /** The server's hint for transient refusals (e.g. a rate-limit window); the outbox waits at least this long. */
  readonly retryAfterMs: number | undefined;

  constructor(init: { code: string; messageKey: string; permanent: boolean; retryAfterMs?: number; message?: string; cause?: unknown }) {
    super(init.message ?? `${init.code} ${init.messageKey}`, { cause: init.cause });
    this.name = 'OutboxTransportError';
    this.code = init.code;
    this.messageKey = init.messageKey;
    this.permanent = init.permanent;
    this.retryAfterMs = init.retryAfterMs;
  }
}

export interface OutboxErrorInfo {
  code: string;
  messageKey: string;
  permanent: boolean;
}

export const UNCLASSIFIED_ERROR: Omit<OutboxErrorInfo, 'permanent'> = {
  code: 'outbox.transport_failed',
  messageKey: 'outbox.error.transport_failed',
};

export function classifyTransportError(error: unknown): OutboxErrorInfo & { retryAfterMs: number | undefined } {
  if (error instanceof OutboxTransportError) {
    return { code: error.code, messageKey: error.messageKey, permanent: error.permanent, retryAfterMs: error.retryAfterMs };
  }
  return { ...UNCLASSIFIED_ERROR, permanent: false, retryAfterMs: undefined };
}
